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
// fails as a script would, and a host in down refuses connections.
type commandLog struct {
	mu       sync.Mutex
	commands map[string][]string
	secret   map[string][]string
	down     map[string]bool
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

func (s logShell) RunScript(_ context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.c.down[s.host] {
		return ops.ScriptResult{}, actions.Errorf(actions.KindConnect, actions.Retryable, s.host, run.Script.Op, "connection refused")
	}
	if run.Script.Op != ops.Batch {
		s.c.commands[s.host] = append(s.c.commands[s.host], run.Script.Op)
		if run.SensitiveArgs && s.c.secret != nil {
			s.c.secret[s.host] = append(s.c.secret[s.host], run.Script.Op)
		}
		if run.Script.Op == "broken" {
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
	for _, it := range a.Items {
		op, _, _ := ops.ParseMarker(it.Script)
		names = append(names, op)
		res.Results = append(res.Results, ops.BatchItemResult{ID: it.ID, OK: true, Output: map[string]any{}})
	}
	s.c.commands[s.host] = append(s.c.commands[s.host], fmt.Sprintf("batch%v", names))
	if run.SensitiveArgs && s.c.secret != nil {
		s.c.secret[s.host] = append(s.c.secret[s.host], fmt.Sprintf("batch%v", names))
	}
	b, _ := json.Marshal(res)
	return ops.ScriptResult{Output: b}, nil
}

// TestAloneReadsAreTheirOwnCommand checks that a probe marked Alone runs as
// a command of its own, before the host's batch, so that its Sent and
// Received bracket it and not the batch's slow reads; that the same alone
// read asked by two instances runs once; and that such a read failing as a
// script fails only itself.
func TestAloneReadsAreTheirOwnCommand(t *testing.T) {
	c := &commandLog{commands: map[string][]string{}, down: map[string]bool{}}
	clock := actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true}
	slow := actions.ShellProbe{Script: script("repl.show"), Args: struct{}{}}
	reqs := []readRequest{
		{host: "dc01", probes: []actions.Probe{{Name: "clock", Shell: &clock}, {Name: "links", Shell: &slow}}},
		{host: "ex01", probes: []actions.Probe{{Name: "dc", Shell: &actions.ShellProbe{Host: "dc01", Script: clock.Script, Args: clock.Args, Alone: true}}}},
		{host: "ex02", probes: []actions.Probe{{Name: "broken", Shell: &actions.ShellProbe{Script: script("broken"), Args: struct{}{}, Alone: true}}, {Name: "links", Shell: &slow}}},
	}
	out, err := reader{conns: c, parallelism: 4}.read(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"dc01": {"time.read", "batch[repl.show]"},
		"ex02": {"broken", "batch[repl.show]"},
	}
	if diff := cmp.Diff(want, c.commands); diff != "" {
		t.Errorf("commands per host (-want +got):\n%s", diff)
	}
	if out.commands["dc01"] != 2 || out.commands["ex02"] != 2 {
		t.Errorf("command counts %v, want 2 for dc01 and ex02", out.commands)
	}
	clockRes, links := out.results[0]["clock"], out.results[0]["links"]
	if clockRes.Err != nil || links.Err != nil {
		t.Fatalf("dc01 reads failed: %v, %v", clockRes.Err, links.Err)
	}
	if clockRes.Received.After(links.Sent) {
		t.Errorf("the clock read ended at %v, after the batch started at %v: it was not a command of its own", clockRes.Received, links.Sent)
	}
	if shared := out.results[1]["dc"]; shared.Err != nil || !shared.Sent.Equal(clockRes.Sent) {
		t.Errorf("ex01's read of dc01's clock is not the one read: %+v", shared)
	}
	if r := out.results[2]["broken"]; actions.KindOf(r.Err) != actions.KindScript {
		t.Errorf("the failing alone read: %v, want its script error", r.Err)
	}
	if r := out.results[2]["links"]; r.Err != nil || out.hostErrs["ex02"] != nil {
		t.Errorf("a failing alone read failed the rest of the host: %v, %v", r.Err, out.hostErrs["ex02"])
	}
}

// TestSensitiveReadsKeepTheirArgumentsSecret checks that a read whose
// arguments hold a secret is sent as such, whether it runs alone or in
// the host's batch, and that it makes no other command secret.
func TestSensitiveReadsKeepTheirArgumentsSecret(t *testing.T) {
	c := &commandLog{commands: map[string][]string{}, secret: map[string][]string{}, down: map[string]bool{}}
	reqs := []readRequest{
		{host: "ex01", probes: []actions.Probe{
			{Name: "alone", Shell: &actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true, Sensitive: true}},
			{Name: "plain", Shell: &actions.ShellProbe{Script: script("repl.show"), Args: struct{}{}}},
		}},
		{host: "ex02", probes: []actions.Probe{
			{Name: "clock", Shell: &actions.ShellProbe{Script: script("time.read"), Args: struct{}{}, Alone: true}},
			{Name: "queues", Shell: &actions.ShellProbe{Script: script("exchange.queue.get"), Args: struct{}{}, Sensitive: true}},
		}},
	}
	if _, err := (reader{conns: c, parallelism: 2}).read(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"ex01": {"time.read"}, "ex02": {"batch[exchange.queue.get]"}}
	if diff := cmp.Diff(want, c.secret); diff != "" {
		t.Errorf("commands sent with secret arguments (-want +got):\n%s\nall commands: %v", diff, c.commands)
	}
}

// TestUnreachableHostFailsItsAloneAndBatchedReads checks that a host that
// cannot be reached fails every read asked of it, alone or batched, once.
func TestUnreachableHostFailsItsAloneAndBatchedReads(t *testing.T) {
	c := &commandLog{commands: map[string][]string{}, down: map[string]bool{"ex01": true}}
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
// per change; each target costs its review read, its re-read, its change
// and its verification.
func TestApplyReadsEachHostOncePerBatch(t *testing.T) {
	tests := []struct {
		serial string
		// dc is what the host every change reads answers: the review, then
		// one read before the first batch, one between two batches, and
		// one after the last.
		dc int
	}{
		{serial: "", dc: 3},
		{serial: "2", dc: 4},
		{serial: "1", dc: 6},
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
			for _, h := range hs {
				want[h.Name] = 4
			}
			if diff := cmp.Diff(want, fleet.commands); diff != "" {
				t.Errorf("commands per host during apply (-want +got):\n%s", diff)
			}
		})
	}
}
