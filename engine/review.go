package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// A saved plan is the reviewed expectation of an apply, never the source
// of what runs. Before anything is read, apply checks that the plan was
// made from the playbook and inventory evaluated now (their evaluated
// digests), that its steps, windows, rollout, variables and recorded
// configurations are the playbook's, and that every instance names a step
// and host of it. Then it re-plans every instance from a fresh read of all
// hosts, and refuses the whole apply if any change the plan would make
// differs from what the playbook calls for on a target that has not moved.
// During apply each change is re-planned once more from the read that
// precedes it, and what runs is that re-plan, only when it equals the
// reviewed change.

// ReviewError is returned for a plan that is not what the playbook and
// inventory evaluated now call for: edited, or made from other inputs.
// Nothing was read or changed, or (for Changes) nothing was changed.
type ReviewError struct {
	// Problems say what differs, one sentence each.
	Problems []string
}

func (e *ReviewError) Error() string {
	return "the plan is not what the playbook and inventory call for now, so none of it is applied: " +
		strings.Join(e.Problems, "; ") + "; make a new plan and review it"
}

// PlanAgeError is returned for a plan made longer ago than apply allows.
type PlanAgeError struct {
	Created time.Time
	Age     time.Duration
	Max     time.Duration
}

func (e *PlanAgeError) Error() string {
	if e.Age < 0 {
		return fmt.Sprintf("the plan was made at %s, %s in the future; check this machine's clock and the plan's origin", e.Created.Format(time.RFC3339), (-e.Age).Round(time.Second))
	}
	return fmt.Sprintf("the plan was made at %s, %s ago, more than the %s allowed; make a new plan, or use -plan-age-override \"<reason>\" to apply it anyway (the reason is journaled)",
		e.Created.Format(time.RFC3339), e.Age.Round(time.Minute), e.Max)
}

// futureTolerance is how far in the future a plan's time may be: clocks of
// the machine that planned and the one that applies may differ a little.
const futureTolerance = 5 * time.Minute

// checkAge refuses a plan older than max (0: no limit) unless overridden,
// and one made in the future.
func checkAge(p *plans.Plan, now time.Time, max time.Duration, override string) error {
	age := now.Sub(p.CreatedAt)
	if age < -futureTolerance {
		return &PlanAgeError{Created: p.CreatedAt, Age: age, Max: max}
	}
	if max > 0 && age > max && override == "" {
		return &PlanAgeError{Created: p.CreatedAt, Age: age, Max: max}
	}
	return nil
}

// checkReviewed compares what the plan records of the playbook with the
// playbook evaluated now, without reading any host.
func checkReviewed(p *plans.Plan, in Input) ([]string, error) {
	var problems []string
	steps, err := orderSteps(in.Steps)
	if err != nil {
		return nil, err
	}
	same := func(what string, a, b any) {
		ja, errA := json.Marshal(a)
		jb, errB := json.Marshal(b)
		if errA != nil || errB != nil || !bytes.Equal(ja, jb) {
			problems = append(problems, "the plan's "+what+" differ from the playbook's")
		}
	}
	same("steps (their targets, order, dependencies or triggers)", withoutSources(p.Steps), withoutSources(planSteps(steps)))
	same("change windows", nonNil(p.Windows), nonNil(in.Windows))
	same("rollout settings", p.Rollout, in.Rollout)
	same("required approvals", p.RequiredApprovals, in.RequiredApprovals)
	same("variable values", nonNil(p.Variables), nonNil(in.Variables))
	same("runs and instances to undo", p.Undo, in.Undo)

	byName := make(map[string]*Step, len(steps))
	for i := range steps {
		byName[steps[i].Name] = &steps[i]
	}
	topo := newTopology(in.Hosts)
	rec := recorder{salt: p.Salt}
	configs := map[string]json.RawMessage{}
	seen := map[string]bool{}
	for _, inst := range p.Instances {
		s, ok := byName[inst.Step]
		switch {
		case seen[inst.Address]:
			problems = append(problems, fmt.Sprintf("%s appears twice", inst.Address))
			continue
		case inst.Address != plans.Address(inst.Step, inst.Host):
			problems = append(problems, fmt.Sprintf("%s is not the address of step %q on host %q", inst.Address, inst.Step, inst.Host))
			continue
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: the playbook has no step %q", inst.Address, inst.Step))
			continue
		case s.ActionID != inst.Action:
			problems = append(problems, fmt.Sprintf("%s: step %q is a %s step, not %s", inst.Address, inst.Step, s.ActionID, inst.Action))
			continue
		}
		seen[inst.Address] = true
		if _, ok := topo.Host(inst.Host); !ok || !contains(s.Targets, inst.Host) {
			problems = append(problems, fmt.Sprintf("%s: host %q is not a target of step %q", inst.Address, inst.Host, inst.Step))
			continue
		}
		cfg, ok := configs[s.Name]
		if !ok {
			if cfg, err = rec.config(s.Config); err != nil {
				return nil, fmt.Errorf("step %q: record the configuration: %w", s.Name, err)
			}
			configs[s.Name] = cfg
		}
		if a, errA := plans.Canonical(inst.Config); errA != nil || !bytes.Equal(a, cfg) {
			problems = append(problems, fmt.Sprintf("%s: the recorded configuration differs from the step's", inst.Address))
		}
	}
	return problems, nil
}

// withoutSources returns steps without where they are declared: a plan is
// the playbook's whatever lines its steps moved to (an added comment).
func withoutSources(steps []plans.Step) []plans.Step {
	out := make([]plans.Step, len(steps))
	for i, s := range steps {
		s.Source = nil
		out[i] = s
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// review re-plans every instance of the saved plan from a fresh read of
// all its hosts (one command per host, as a plan reads), with each
// instance triggered as the plan says. It returns the fresh instances by
// address, and a problem for each change the plan would make whose target
// has not moved but whose re-plan differs from it. A target that moved,
// or cannot be read now, is left to the change's own re-read, which
// reports it as stale or failed. It also returns, by address, what the
// read showed of each instance the plan changes that was planned again
// without error: until apply changes anything, that read is as fresh as a
// re-read made for the first change.
func (e *Engine) review(ctx context.Context, p *plans.Plan, in Input, conns actions.Connections, include func(plans.Instance) bool) (map[string]plans.Instance, map[string]*observation, []string, error) {
	steps, err := orderSteps(in.Steps)
	if err != nil {
		return nil, nil, nil, err
	}
	byName := make(map[string]*Step, len(steps))
	for i := range steps {
		byName[steps[i].Name] = &steps[i]
	}
	topo := newTopology(in.Hosts)
	var specs []instanceSpec
	saved := map[string]plans.Instance{}
	for _, inst := range p.Instances {
		if h, ok := p.Host(inst.Host); inst.Error != "" || ok && h.Error != "" {
			continue
		}
		host, _ := topo.Host(inst.Host)
		specs = append(specs, instanceSpec{step: byName[inst.Step], host: host})
		saved[inst.Address] = inst
	}
	triggered := func(sp instanceSpec) bool { return saved[plans.Address(sp.step.Name, sp.host.Name)].Triggered }
	observed := map[string]*observation{}
	keep := func(addr string, o *observation) {
		if s := saved[addr]; s.Change.Action.Changes() && (include == nil || include(s)) {
			observed[addr] = o
		}
	}
	fresh, _, err := e.planInstances(ctx, specs, in, topo, e.now().UTC(), recorder{salt: p.Salt}, conns, triggered, func(plans.Instance) {}, keep)
	if err != nil {
		return nil, nil, nil, err
	}
	out := make(map[string]plans.Instance, len(fresh))
	var problems []string
	for _, f := range fresh {
		out[f.Address] = f
		s := saved[f.Address]
		if !s.Change.Action.Changes() || include != nil && !include(s) {
			continue
		}
		if f.Error != "" || f.ObservedDigest != s.ObservedDigest {
			continue
		}
		diffs, err := plans.Differences(s.Change, f.Change)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: the recorded change is unreadable: %v", f.Address, err))
			continue
		}
		if len(diffs) > 0 {
			problems = append(problems, fmt.Sprintf("%s: the %s of the %s differ from what the playbook calls for on the unchanged target",
				f.Address, strings.Join(diffs, " and "), s.Change.Action))
		}
	}
	return out, observed, problems, nil
}
