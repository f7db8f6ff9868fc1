package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// An undo is planned and applied as any plan is. Its input is the
// playbook and inventory evaluated now, with every step's action in place
// of itself but planning the reversal of the change an earlier run made
// (actions.UndoPlanner) from the journal's record of it instead of what
// the playbook calls for: reads, stale checks, windows, rollout batches,
// journaling and verification are those of any apply.

// UndoRecord is one change of an earlier run, as the journal holds it.
type UndoRecord struct {
	Address string
	Step    string
	Host    string
	// Status is how the change ended; only an applied change is undone.
	Status plans.Status
	Error  string
	// Change is the change as planned; After and Undo what its apply
	// recorded.
	Change plans.Change
	After  json.RawMessage
	Undo   json.RawMessage
}

// UndoInput returns the input of the plan that undoes records, the
// changes run made, in the reverse of the order they were made: each
// step that changed something, last first, on the hosts it changed, last
// first. in is the playbook and inventory evaluated now: they give every
// instance its configuration, host and the change windows and rollout the
// undo obeys. A change that was not applied, that recorded no undo data
// or whose action cannot plan its undo is planned as blocked, saying why.
// A record whose step or host in no longer has is an error.
func UndoInput(in Input, run int64, records []UndoRecord) (Input, error) {
	steps := make(map[string]Step, len(in.Steps))
	for _, s := range in.Steps {
		steps[s.Name] = s
	}
	topo := newTopology(in.Hosts)
	var (
		order    []string
		byStep   = map[string]*undoAction{}
		targets  = map[string][]string{}
		problems []string
	)
	for _, r := range slices.Backward(records) {
		if r.Status == plans.Skipped || r.Status == plans.Stale || r.Status == plans.Differs || r.Status == plans.Interrupted {
			continue // not attempted: nothing was changed
		}
		s, ok := steps[r.Step]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: the playbook has no step %q now", r.Address, r.Step))
			continue
		}
		if _, ok := topo.Host(r.Host); !ok {
			problems = append(problems, fmt.Sprintf("%s: host %q is not in the inventory", r.Address, r.Host))
			continue
		}
		u, ok := byStep[r.Step]
		if !ok {
			u = &undoAction{Action: s.Action, run: run, records: map[string]UndoRecord{}}
			byStep[r.Step] = u
			order = append(order, r.Step)
		}
		if _, dup := u.records[r.Host]; dup {
			continue // the later change is undone; the journal keeps the rest
		}
		u.records[r.Host] = r
		targets[r.Step] = append(targets[r.Step], r.Host)
	}
	if len(problems) > 0 {
		return Input{}, fmt.Errorf("run %d cannot be undone with this playbook and inventory: %s", run, strings.Join(problems, "; "))
	}
	out := in
	out.Steps = make([]Step, 0, len(order))
	for _, name := range order {
		s := steps[name]
		s.Action, s.Targets = *byStep[name], targets[name]
		s.DependsOn, s.TriggeredBy = nil, nil
		s.Description = fmt.Sprintf("undo run %d's changes of step %s", run, name)
		out.Steps = append(out.Steps, s)
	}
	digest, err := undoDigest(in.Playbook.Digest, run, records)
	if err != nil {
		return Input{}, err
	}
	out.Playbook.Digest = digest
	out.Playbook.Title = strings.TrimSuffix(fmt.Sprintf("undo of run %d: %s", run, in.Playbook.Title), ": ")
	return out, nil
}

// undoDigest covers what an undo is made from: the playbook as evaluated
// now and the records of the run it undoes. A saved undo plan is applied
// only while both are the same.
func undoDigest(playbook string, run int64, records []UndoRecord) (string, error) {
	b, err := json.Marshal(struct {
		Playbook string
		Run      int64
		Records  []UndoRecord
	}{playbook, run, records})
	if err != nil {
		return "", fmt.Errorf("undo run %d: %w", run, err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// undoAction stands in for a step's action in an undo: it reads and
// applies as the action does, and plans the reversal of the recorded
// change of each host.
type undoAction struct {
	actions.Action
	run     int64
	records map[string]UndoRecord // by host
}

var (
	_ actions.Action       = undoAction{}
	_ actions.StateSecrets = undoAction{}
)

// cannotUndo is the state of an instance whose change cannot be undone:
// nothing is read for it.
type cannotUndo struct {
	Why string `json:"cannot_undo"`
}

// why says why the change of inst cannot be undone, or "".
func (u undoAction) why(inst actions.Instance) string {
	r, ok := u.records[inst.Host.Name]
	switch {
	case !ok:
		return fmt.Sprintf("run %d made no change to it", u.run)
	case r.Status != plans.Applied:
		return fmt.Sprintf("the change %s (%s); rectify does not know what it left, check the host by hand", r.Status, r.Error)
	case r.Status == plans.Applied && !r.Change.Action.Changes():
		return "nothing was changed"
	case len(r.Undo) == 0:
		return fmt.Sprintf("the change (%s) recorded no undo data (%s)", r.Change.Action, orNone(r.Change.Undo))
	}
	if _, ok := u.Action.(actions.UndoPlanner); !ok {
		return fmt.Sprintf("rectify cannot plan the undo of this action's changes (%s)", orNone(r.Change.Undo))
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "it says nothing of an undo"
	}
	return "its plan said: " + s
}

// Probes implements actions.Action: the action's own, or none for a
// change that cannot be undone.
func (u undoAction) Probes(inst actions.Instance) ([]actions.Probe, error) {
	if u.why(inst) != "" {
		return nil, nil
	}
	return u.Action.Probes(inst)
}

// Observe implements actions.Action.
func (u undoAction) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	if why := u.why(inst); why != "" {
		return cannotUndo{Why: why}, nil
	}
	return u.Action.Observe(inst, r)
}

// Plan implements actions.Action: the action's plan of the undo.
func (u undoAction) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	r := u.records[inst.Host.Name]
	if c, ok := current.(cannotUndo); ok {
		return plans.Change{Action: plans.Blocked, Object: r.Change.Object, KBStep: r.Change.KBStep,
			Reason: fmt.Sprintf("cannot be undone: %s", c.Why)}, nil
	}
	done := actions.Done{Run: u.run, Change: r.Change, After: r.After, Undo: r.Undo}
	return u.Action.(actions.UndoPlanner).PlanUndo(inst, done, current)
}

// StateHoldsSecrets implements actions.StateSecrets as the action does.
func (u undoAction) StateHoldsSecrets(cfg actions.Config) bool {
	return stateHoldsSecrets(u.Action, cfg)
}
