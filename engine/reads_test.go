package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

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
		t.Errorf("%d searches for four lookups of one shape, want one", fleet.searches)
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
			ctx := context.Background()
			hs := hosts(4)
			in := Input{
				Playbook:  plans.PlaybookRef{Name: "t", Digest: "sha256:p"},
				Inventory: plans.InventoryRef{Digest: "sha256:i"},
				Steps:     []Step{{Name: "a", ActionID: "test.cross", Action: crossAction{other: "dc"}, Targets: names(hs), Config: config("A", 1)}},
				Hosts:     append(hs, actions.Host{Name: "dc"}),
				Rollout:   plans.Rollout{Serial: tt.serial},
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
