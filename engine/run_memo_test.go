package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// peersAction is valueAction that also reads a value of every target of
// its step (ShellProbe.Hosts), as the connector step reads every sender.
type peersAction struct{ valueAction }

func (a peersAction) Probes(inst actions.Instance) ([]actions.Probe, error) {
	ps, err := a.valueAction.Probes(inst)
	return append(ps, actions.Probe{Name: "peers", Shell: &actions.ShellProbe{
		Hosts: inst.Targets, Script: script(ops.RegistryGet), Args: ops.RegistryGetArgs{Path: `HKLM:\SOFTWARE\Test`, Name: "Peer"},
	}}), err
}

// peersState is a value, how many peers answered and the sum of their
// Peer values.
type peersState struct {
	Value valueState `json:"value"`
	Peers int        `json:"peers"`
	Sum   float64    `json:"sum"`
}

func (a peersAction) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	st, err := a.valueAction.Observe(inst, r)
	if err != nil {
		return nil, err
	}
	ps := peersState{Value: st.(valueState)}
	for _, res := range r["peers"].Each {
		var v ops.RegistryValue
		if res.Err == nil && json.Unmarshal(res.Output, &v) == nil {
			ps.Peers++
			f, _ := v.Data.(float64)
			ps.Sum += f
		}
	}
	return ps, nil
}

func (a peersAction) Plan(inst actions.Instance, s actions.State) (plans.Change, error) {
	return a.valueAction.Plan(inst, s.(peersState).Value)
}

// TestApplyReadsEveryTargetOnceARun checks that what a step reads of every
// target is read once by the review, not again by every batch's re-read
// and verification: with one host a batch, each host is read by the
// review, for its own batch and after its change, and by nothing else.
func TestApplyReadsEveryTargetOnceARun(t *testing.T) {
	hs := hosts(4)
	in := Input{
		Playbook:  plans.PlaybookRef{Name: "t", Digest: "sha256:p"},
		Inventory: plans.InventoryRef{Digest: "sha256:i"},
		Steps:     []Step{{Name: "a", ActionID: "test.peers", Action: peersAction{}, Targets: names(hs), Config: config("A", 1)}},
		Hosts:     hs,
		Rollout:   plans.Rollout{Serial: serialOf(t, "1"), MaxFail: len(hs)},
	}
	runs := 0
	fleet := newFakeFleet()
	res := planThenApply(t, newEngine(&runs), in, fleet, func() { fleet.commands = map[string]int{} })
	for _, c := range res.Changes {
		if c.Status != plans.Applied || !c.Converged {
			t.Errorf("%s: %s converged=%v %s", c.Address, c.Status, c.Converged, c.Error)
		}
	}
	// h01: the review, its change, its verification (which re-reads h02).
	// The others: the review, their re-read, their change, their
	// verification.
	want := map[string]int{"h01": 3, "h02": 4, "h03": 4, "h04": 4}
	if diff := cmp.Diff(want, fleet.commands); diff != "" {
		t.Errorf("commands a host (-want +got):\n%s", diff)
	}
}

// peerWriter is valueAction whose change also writes Peer, which it does
// not read: what another step reads of every target.
type peerWriter struct{ valueAction }

func (a peerWriter) Apply(ctx context.Context, inst actions.Instance, ch plans.Change, conns actions.Connections) (actions.Outcome, error) {
	out, err := a.valueAction.Apply(ctx, inst, ch, conns)
	if err != nil {
		return out, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return out, err
	}
	args, _ := json.Marshal(ops.RegistrySetArgs{Name: "Peer", Kind: ops.KindDWord, Data: 1})
	_, err = sh.RunScript(ctx, ops.ScriptRun{Script: script(ops.RegistrySet), Args: args, Mutates: true})
	return out, err
}

// TestApplyForgetsWhatAChangeMayHaveAltered: step a writes the value that
// step b reads of every target, which only b reads. b's targets moved since the plan, and
// their re-read must show it (they are stale) instead of the review's
// read, made before a's changes.
func TestApplyForgetsWhatAChangeMayHaveAltered(t *testing.T) {
	hs := hosts(3)
	in := Input{
		Playbook:  plans.PlaybookRef{Name: "t", Digest: "sha256:p"},
		Inventory: plans.InventoryRef{Digest: "sha256:i"},
		Steps: []Step{
			{Name: "a", ActionID: "test.value", Action: peerWriter{}, Targets: names(hs), Config: config("A", 1)},
			{Name: "b", ActionID: "test.peers", Action: peersAction{}, Targets: names(hs), Config: config("B", 1), DependsOn: []string{"a"}},
		},
		Hosts:   hs,
		Rollout: plans.Rollout{Serial: serialOf(t, "1"), MaxFail: 2 * len(hs)},
	}
	runs := 0
	res := planThenApply(t, newEngine(&runs), in, newFakeFleet(), nil)
	for addr, s := range statuses(res) {
		want := plans.Applied
		if strings.HasPrefix(addr, "step.b") {
			want = plans.Stale
		}
		if s != want {
			t.Errorf("%s: %s, want %s", addr, s, want)
		}
	}
}
