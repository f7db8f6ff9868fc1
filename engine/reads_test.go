package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// commandLog is a fleet that records, per host, the ops of each command it
// receives ("batch[a b]" for a batch), and in secret those of the commands
// sent with SensitiveArgs, and answers every op with {}; the op "broken"
// fails as a script would, and a host in down refuses connections. A
// batch runs its items in order, each taking its time in slow, and times
// them as the batch script does; done records when each op ended on each
// host ("dc01 time.read"), the moment a reading in it was taken at last.
type commandLog struct {
	mu       sync.Mutex
	commands map[string][]string
	secret   map[string][]string
	down     map[string]bool
	slow     map[string]time.Duration
	done     map[string]time.Time
}

func newCommandLog() *commandLog {
	return &commandLog{commands: map[string][]string{}, secret: map[string][]string{}, down: map[string]bool{}, slow: map[string]time.Duration{}, done: map[string]time.Time{}}
}

func (c *commandLog) Shell(_ context.Context, host string) (ops.Shell, error) {
	return logShell{c: c, host: host}, nil
}
func (c *commandLog) Directory(context.Context, string) (actions.Directory, error) {
	return nil, errors.New("no directory in this fake")
}
func (c *commandLog) Prober() actions.Prober { return nil }

type logShell struct {
	c    *commandLog
	host string
}

func (s logShell) log(command string, sensitive bool) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.commands[s.host] = append(s.c.commands[s.host], command)
	if sensitive {
		s.c.secret[s.host] = append(s.c.secret[s.host], command)
	}
}

// runOp lets op take its time and reports whether it succeeded.
func (s logShell) runOp(op string) bool {
	s.c.mu.Lock()
	d := s.c.slow[op]
	s.c.mu.Unlock()
	time.Sleep(d)
	s.c.mu.Lock()
	s.c.done[s.host+" "+op] = time.Now()
	s.c.mu.Unlock()
	return op != "broken"
}

func (s logShell) RunScript(_ context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	s.c.mu.Lock()
	down := s.c.down[s.host]
	s.c.mu.Unlock()
	if down {
		return ops.ScriptResult{}, actions.Errorf(actions.KindConnect, actions.Retryable, s.host, run.Script.Op, "connection refused")
	}
	if run.Script.Op != ops.Batch {
		s.log(run.Script.Op, run.SensitiveArgs)
		if !s.runOp(run.Script.Op) {
			return ops.ScriptResult{ExitCode: 1}, actions.Errorf(actions.KindScript, actions.Permanent, s.host, run.Script.Op, "it broke")
		}
		return ops.ScriptResult{Output: json.RawMessage(`{}`)}, nil
	}
	var a ops.BatchArgs
	if err := json.Unmarshal(run.Args, &a); err != nil {
		return ops.ScriptResult{}, err
	}
	var names []string
	res := ops.BatchResult{}
	start := time.Now()
	var ended []time.Duration
	for _, it := range a.Items {
		op, _, _ := ops.ParseMarker(it.Script)
		names = append(names, op)
		r := ops.BatchItemResult{ID: it.ID, OK: true, Output: map[string]any{}, BeforeMicros: time.Since(start).Microseconds()}
		if !s.runOp(op) {
			r = ops.BatchItemResult{ID: it.ID, Error: "it broke", BeforeMicros: r.BeforeMicros}
		}
		ended = append(ended, time.Since(start))
		res.Results = append(res.Results, r)
	}
	last := time.Since(start)
	for i := range res.Results {
		res.Results[i].AfterMicros = (last - ended[i]).Microseconds()
	}
	s.log(fmt.Sprintf("batch%v", names), run.SensitiveArgs)
	b, _ := json.Marshal(res)
	return ops.ScriptResult{Output: b}, nil
}

// TestTimedReadsRunFirstInTheirHostsBatch checks that a probe marked Alone
// (a read whose moment matters) runs first in its host's one batch
// command, and that its Sent and Received bracket that read, as narrowly
// as a command of its own, and not the slow read after it; that the same
// read asked by two instances, timed or not, runs once; that two timed
// reads on a host are each bracketed; and that such a read failing as a
// script fails only itself.
func TestTimedReadsRunFirstInTheirHostsBatch(t *testing.T) {
	const slowRead = 300 * time.Millisecond
	c := newCommandLog()
	c.slow["repl.show"] = slowRead
	clock := actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true}
	config := actions.ShellProbe{Script: script("time.config"), Args: struct{}{}, Alone: true}
	slow := actions.ShellProbe{Script: script("repl.show"), Args: struct{}{}}
	reqs := []readRequest{
		{host: "dc01", probes: []actions.Probe{{Name: "links", Shell: &slow}, {Name: "clock", Shell: &clock}}},
		{host: "ex01", probes: []actions.Probe{
			{Name: "dc", Shell: &actions.ShellProbe{Host: "dc01", Script: clock.Script, Args: clock.Args, Alone: true}},
			{Name: "untimed", Shell: &actions.ShellProbe{Host: "dc01", Script: clock.Script, Args: clock.Args}},
		}},
		{host: "ex02", probes: []actions.Probe{{Name: "links", Shell: &slow}, {Name: "broken", Shell: &actions.ShellProbe{Script: script("broken"), Args: struct{}{}, Alone: true}}}},
		{host: "dc02", probes: []actions.Probe{{Name: "links", Shell: &slow}, {Name: "clock", Shell: &clock}, {Name: "config", Shell: &config}}},
	}
	out, err := reader{conns: c, parallelism: 4}.read(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"dc01": {"batch[time.read repl.show]"},
		"dc02": {"batch[time.read time.config repl.show]"},
		"ex02": {"batch[broken repl.show]"},
	}
	if diff := cmp.Diff(want, c.commands); diff != "" {
		t.Errorf("commands per host (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"dc01": 1, "dc02": 1, "ex02": 1}, out.commands); diff != "" {
		t.Errorf("command counts (-want +got):\n%s", diff)
	}
	for _, r := range []struct {
		req        int
		name, read string
	}{{0, "clock", "dc01 time.read"}, {3, "clock", "dc02 time.read"}, {3, "config", "dc02 time.config"}} {
		res, links := out.results[r.req][r.name], out.results[r.req]["links"]
		if res.Err != nil || links.Err != nil {
			t.Fatalf("%s: %v, links %v", r.read, res.Err, links.Err)
		}
		at := c.done[r.read]
		if at.Before(res.Sent) || at.After(res.Received) {
			t.Errorf("%s happened at %v, outside its bracket [%v, %v]", r.read, at, res.Sent, res.Received)
		}
		if w := res.Received.Sub(res.Sent); w >= slowRead/2 {
			t.Errorf("%s is bracketed by %v, the slow read after it included: not as narrow as a command of its own", r.read, w)
		}
		if w := links.Received.Sub(links.Sent); w < slowRead {
			t.Errorf("the slow read is bracketed by %v, shorter than it took (%v)", w, slowRead)
		}
	}
	clockRes := out.results[0]["clock"]
	for _, name := range []string{"dc", "untimed"} {
		if shared := out.results[1][name]; shared.Err != nil || !shared.Sent.Equal(clockRes.Sent) || !shared.Received.Equal(clockRes.Received) {
			t.Errorf("ex01's %s read of dc01's clock is not the one read: %+v", name, shared)
		}
	}
	if r := out.results[2]["broken"]; actions.KindOf(r.Err) != actions.KindScript {
		t.Errorf("the failing timed read: %v, want its script error", r.Err)
	}
	if r := out.results[2]["links"]; r.Err != nil || out.hostErrs["ex02"] != nil {
		t.Errorf("a failing timed read failed the rest of the host: %v, %v", r.Err, out.hostErrs["ex02"])
	}
}

// TestSensitiveReadsKeepTheirArgumentsSecret checks that a read whose
// arguments hold a secret makes its host's batch secret, whether it is
// timed or not, and that it makes no other host's command secret.
func TestSensitiveReadsKeepTheirArgumentsSecret(t *testing.T) {
	c := newCommandLog()
	reqs := []readRequest{
		{host: "ex01", probes: []actions.Probe{
			{Name: "timed", Shell: &actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true, Sensitive: true}},
			{Name: "plain", Shell: &actions.ShellProbe{Script: script("repl.show"), Args: struct{}{}}},
		}},
		{host: "ex02", probes: []actions.Probe{
			{Name: "clock", Shell: &actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true}},
			{Name: "queues", Shell: &actions.ShellProbe{Script: script("exchange.queue.get"), Args: struct{}{}, Sensitive: true}},
		}},
		{host: "ex03", probes: []actions.Probe{
			{Name: "clock", Shell: &actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true}},
			{Name: "plain", Shell: &actions.ShellProbe{Script: script("repl.show"), Args: struct{}{}}},
		}},
	}
	if _, err := (reader{conns: c, parallelism: 2}).read(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"ex01": {"batch[time.read repl.show]"}, "ex02": {"batch[time.read exchange.queue.get]"}}
	if diff := cmp.Diff(want, c.secret); diff != "" {
		t.Errorf("commands sent with secret arguments (-want +got):\n%s\nall commands: %v", diff, c.commands)
	}
}

// TestUnreachableHostFailsItsTimedAndOtherReads checks that a host that
// cannot be reached fails every read asked of it, timed or not, once.
func TestUnreachableHostFailsItsTimedAndOtherReads(t *testing.T) {
	c := newCommandLog()
	c.down["ex01"] = true
	reqs := []readRequest{{host: "ex01", probes: []actions.Probe{
		{Name: "clock", Shell: &actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true}},
		{Name: "config", Shell: &actions.ShellProbe{Script: script("time.config"), Args: struct{}{}}},
	}}}
	out, err := reader{conns: c, parallelism: 1}.read(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clock", "config"} {
		if actions.KindOf(out.results[0][name].Err) != actions.KindConnect {
			t.Errorf("%s: %v, want the connection error", name, out.results[0][name].Err)
		}
	}
	if out.hostErrs["ex01"] == nil || out.commands["ex01"] != 1 {
		t.Errorf("host error %v after %d command(s); want the error after one", out.hostErrs["ex01"], out.commands["ex01"])
	}
}

// directoryFleet is a Connections whose one Directory holds fixed entries
// and answers searches whose filter is an Or of Equal terms (what merged
// lookups send), matching values case-insensitively as AD does.
type directoryFleet struct {
	entries []actions.Entry

	mu       sync.Mutex
	searches int
}

func (f *directoryFleet) Shell(context.Context, string) (ops.Shell, error) {
	return nil, errors.New("no shells in this fake")
}
func (f *directoryFleet) Directory(context.Context, string) (actions.Directory, error) {
	return f, nil
}
func (f *directoryFleet) Prober() actions.Prober { return nil }

func (f *directoryFleet) Search(_ context.Context, req actions.SearchRequest) ([]actions.Entry, error) {
	f.mu.Lock()
	f.searches++
	f.mu.Unlock()
	or, ok := req.Filter.(actions.Or)
	if !ok {
		return nil, errors.New("the fake answers an Or of Equal terms only")
	}
	var out []actions.Entry
	for _, e := range f.entries {
	terms:
		for _, t := range or {
			eq := t.(actions.Equal)
			for _, v := range e.Values(eq.Attribute) {
				if strings.EqualFold(v, eq.Value) {
					out = append(out, e)
					break terms
				}
			}
		}
	}
	return out, nil
}
func (f *directoryFleet) Modify(context.Context, actions.ModifyRequest) error {
	return errors.New("read only")
}
func (f *directoryFleet) RootDSE(context.Context) (actions.Entry, error) {
	return actions.Entry{}, nil
}

// TestLookupsMerged: lookups of one shape from many instances become few
// searches, and each probe gets exactly the entries holding one of its own
// values (compared case-insensitively), each once, in the directory's
// order, however many values the entry or the probe has.
func TestLookupsMerged(t *testing.T) {
	entry := func(dn string, spns ...string) actions.Entry {
		return actions.Entry{DN: dn, Attributes: map[string][]string{"servicePrincipalName": spns}}
	}
	fleet := &directoryFleet{entries: []actions.Entry{
		entry("CN=EX01", "SMTP/ex01", "SMTPSVC/ex01"),
		entry("CN=EX02", "SMTP/ex02"),
		entry("CN=OTHER", "SMTP/EX01", "HTTP/other"),
		entry("CN=EX03", "SMTP/ex03"),
	}}
	lookup := func(values ...string) []actions.Probe {
		return []actions.Probe{{Name: "spn", Lookup: &actions.LookupProbe{
			Domain: "corp", Attribute: "servicePrincipalName", Values: values, Attributes: []string{"cn"},
		}}}
	}
	reqs := []readRequest{
		{host: "ex01", probes: lookup("smtp/EX01", "SMTPSVC/ex01")},
		{host: "ex02", probes: lookup("SMTP/ex02", "SMTP/ex02")},
		{host: "ex03", probes: lookup("HTTP/other", "SMTP/ex03")},
		{host: "ex04", probes: lookup("SMTP/ex04")},
		// The values of ex01's lookup in another order and case: the
		// same entries, held once for both.
		{host: "ex05", probes: lookup("SMTPSVC/EX01", "smtp/ex01")},
	}
	out, err := reader{conns: fleet, parallelism: 2}.read(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"CN=EX01", "CN=OTHER"},
		{"CN=EX02"},
		{"CN=OTHER", "CN=EX03"},
		nil,
		{"CN=EX01", "CN=OTHER"},
	}
	for i, w := range want {
		r := out.results[i]["spn"]
		if r.Err != nil {
			t.Fatalf("%s: %v", reqs[i].host, r.Err)
		}
		var got []string
		for _, e := range r.Entries {
			got = append(got, e.DN)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s: entries (-want +got):\n%s", reqs[i].host, diff)
		}
	}
	if fleet.searches != 1 {
		t.Errorf("%d searches for five lookups of one shape, want one", fleet.searches)
	}
	if a, b := out.results[0]["spn"].Entries, out.results[4]["spn"].Entries; &a[0] != &b[0] {
		t.Error("two lookups of the same values hold two copies of their entries")
	}
}

// crossAction is valueAction whose every instance also reads a value on
// one other host, as windows.time_skew reads its domain controllers.
type crossAction struct {
	valueAction
	other string
}

func (a crossAction) Probes(inst actions.Instance) ([]actions.Probe, error) {
	probes, err := a.valueAction.Probes(inst)
	return append(probes, actions.Probe{Name: "other", Shell: &actions.ShellProbe{
		Host: a.other, Script: script(ops.RegistryGet), Args: ops.RegistryGetArgs{Path: `HKLM:\SOFTWARE\Test`, Name: "Other"},
	}}), err
}

// TestApplyReadsEachHostOncePerBatch: apply re-reads the targets of a
// rollout batch together and verifies them together, and the read that
// verifies a batch re-reads the next batch of the step too, so that a host
// every change reads (here "dc") costs one command for each read, not one
// per change. The review's read is the first batch's re-read (nothing was
// changed before it): a target of the first batch costs its review read,
// its change and its verification; a target of a later batch its review
// read, its re-read, its change and its verification.
func TestApplyReadsEachHostOncePerBatch(t *testing.T) {
	tests := []struct {
		serial string
		// first is how many targets the first batch holds.
		first int
		// dc is what the host every change reads answers: the review, then
		// one read between two batches, and one after the last.
		dc int
	}{
		{serial: "", first: 4, dc: 2},
		{serial: "2", first: 2, dc: 3},
		{serial: "1", first: 1, dc: 5},
	}
	for _, tt := range tests {
		t.Run("serial "+tt.serial, func(t *testing.T) {
			var serial plans.Amount
			if tt.serial != "" {
				var err error
				if serial, err = plans.ParseAmount(tt.serial); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			hs := hosts(4)
			in := Input{
				Playbook:  plans.PlaybookRef{Name: "t", Digest: "sha256:p"},
				Inventory: plans.InventoryRef{Digest: "sha256:i"},
				Steps:     []Step{{Name: "a", ActionID: "test.cross", Action: crossAction{other: "dc"}, Targets: names(hs), Config: config("A", 1)}},
				Hosts:     append(hs, actions.Host{Name: "dc"}),
				Rollout:   plans.Rollout{Serial: serial},
			}
			reg := actions.NewRegistry()
			reg.MustRegister("test.cross", crossAction{other: "dc"})
			e := &Engine{Registry: reg, Now: func() time.Time { return fixedNow }}
			fleet := newFakeFleet()
			p, err := e.Plan(ctx, in, fleet)
			if err != nil {
				t.Fatal(err)
			}
			fleet.commands = map[string]int{}
			res, err := e.Apply(ctx, p, fleet, applyOpts(in))
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() || res.Count(plans.Applied) != len(hs) {
				t.Fatalf("apply: %+v", res)
			}
			want := map[string]int{"dc": tt.dc}
			for i, h := range hs {
				want[h.Name] = 4
				if i < tt.first {
					want[h.Name] = 3
				}
			}
			if diff := cmp.Diff(want, fleet.commands); diff != "" {
				t.Errorf("commands per host during apply (-want +got):\n%s", diff)
			}
		})
	}
}
