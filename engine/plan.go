package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// Plan reads the live state of every target and returns the plan. A host
// that cannot be read appears in the plan with its error, and its
// instances carry the error instead of a change; Plan fails only when the
// input itself is unusable or ctx ends. Sensitive values appear in the plan
// only as hashes keyed by its salt (the input's, or a new one).
func (e *Engine) Plan(ctx context.Context, in Input, conns actions.Connections) (*plans.Plan, error) {
	steps, err := orderSteps(in.Steps)
	if err != nil {
		return nil, err
	}
	topo := newTopology(in.Hosts)
	now := e.now().UTC()
	salt := in.Salt
	if len(salt) == 0 {
		salt = plans.NewSalt()
	}

	p := &plans.Plan{
		FormatVersion:     plans.FormatVersion,
		CreatedAt:         now,
		RectifyVersion:    e.Version,
		Salt:              salt,
		Playbook:          in.Playbook,
		Inventory:         in.Inventory,
		Variables:         in.Variables,
		Windows:           in.Windows,
		Rollout:           in.Rollout,
		RequiredApprovals: in.RequiredApprovals,
		Steps:             planSteps(steps),
		Undo:              in.Undo,
	}

	// Every (step, host) instance, in step order then inventory order.
	var specs []instanceSpec
	for i := range steps {
		s := &steps[i]
		for _, h := range s.Targets {
			host, ok := topo.Host(h)
			if !ok {
				continue // left out by -limit
			}
			specs = append(specs, instanceSpec{step: s, host: host})
		}
	}
	// Triggers are known in step order: a triggered step plans a run when
	// a step it is triggered by plans a change.
	changed := map[string]bool{}
	triggered := func(sp instanceSpec) bool {
		for _, t := range sp.step.TriggeredBy {
			if changed[t] {
				return true
			}
		}
		return false
	}
	planned := func(rec plans.Instance) {
		if rec.Error == "" && rec.Change.Action.Changes() {
			changed[rec.Step] = true
		}
	}
	instances, out, err := e.planInstances(ctx, specs, in, topo, now, recorder{salt: salt}, conns, triggered, planned, nil)
	if err != nil {
		return nil, err
	}
	p.Instances = instances

	// Hosts: every host the plan touches or read, in inventory order.
	used := map[string]bool{}
	for _, r := range p.Instances {
		used[r.Host] = true
	}
	for h := range out.commands {
		used[h] = true
	}
	for _, h := range in.Hosts {
		if !used[h.Name] {
			continue
		}
		ph := plans.Host{Name: h.Name}
		if err := out.hostErrs[h.Name]; err != nil {
			ph.Error = err.Error()
		}
		p.Hosts = append(p.Hosts, ph)
	}
	// A change whose dependency is blocked on its host waits: say so now,
	// so the reviewer is not surprised when apply skips it.
	byAddress := make(map[string]int, len(p.Instances))
	for i, in := range p.Instances {
		byAddress[in.Address] = i
	}
	stepByName := make(map[string]plans.Step, len(p.Steps))
	for _, s := range p.Steps {
		stepByName[s.Name] = s
	}
	lookup := func(addr string) (plans.Instance, bool) {
		i, ok := byAddress[addr]
		if !ok {
			return plans.Instance{}, false
		}
		return p.Instances[i], true
	}
	for i := range p.Instances {
		in := &p.Instances[i]
		if in.Error != "" || !in.Change.Action.Changes() {
			continue
		}
		if s, ok := stepByName[in.Step]; ok {
			in.Waits = waitReason(s, in.Host, lookup)
		}
	}
	return p, nil
}

// planSteps records steps (in dependency order) as a plan does.
func planSteps(steps []Step) []plans.Step {
	out := make([]plans.Step, 0, len(steps))
	for _, s := range steps {
		out = append(out, plans.Step{
			Name: s.Name, Action: s.ActionID, Description: s.Description, Targets: s.Targets,
			DependsOn: s.DependsOn, TriggeredBy: s.TriggeredBy, AutoCorrect: s.AutoCorrect, Source: s.Source,
		})
	}
	return out
}

// instanceSpec is one (step, host) instance to plan.
type instanceSpec struct {
	step *Step
	host actions.Host
}

// planInstances reads every instance's probes (all shell reads of one
// host as one command) and observes and plans each, in order. triggered
// says whether an instance is triggered, and planned hears of each
// instance once planned, so that triggers can follow the plan's order.
// An instance whose own host could not be read carries the error and no
// change. observed, when not nil, gets the observation of every instance
// planned without error, as apply's re-read would make it.
func (e *Engine) planInstances(ctx context.Context, specs []instanceSpec, in Input, topo topology, now time.Time, rec recorder, conns actions.Connections,
	triggered func(instanceSpec) bool, planned func(plans.Instance), observed func(addr string, o *observation)) ([]plans.Instance, readOutcome, error) {
	type pending struct {
		spec  instanceSpec
		inst  actions.Instance
		rec   plans.Instance
		state actions.State
		// probed is set when the instance's probes could be made: it is
		// observed and planned.
		probed bool
	}
	configs := map[string]json.RawMessage{}
	all := make([]pending, 0, len(specs))
	reqs := make([]readRequest, 0, len(specs))
	for _, sp := range specs {
		s := sp.step
		cfg, ok := configs[s.Name]
		if !ok {
			var err error
			if cfg, err = rec.config(s.Config); err != nil {
				return nil, readOutcome{}, fmt.Errorf("step %q: record the configuration: %w", s.Name, err)
			}
			configs[s.Name] = cfg
		}
		addr := plans.Address(s.Name, sp.host.Name)
		inst := actions.Instance{Step: s.Name, Host: sp.host, Targets: s.Targets, Config: s.Config, Topology: topo, Now: now, Memory: in.Memory[addr]}
		r := plans.Instance{Address: addr, Step: s.Name, Action: s.ActionID, Host: sp.host.Name, Config: cfg}
		probes, err := s.Action.Probes(inst)
		if err == nil {
			err = inst.RefuseOnwardReads(probes)
		}
		if err != nil {
			r.Error = fmt.Sprintf("cannot plan: %v", err)
			probes = nil
		}
		all = append(all, pending{spec: sp, inst: inst, rec: r, probed: r.Error == ""})
		reqs = append(reqs, readRequest{host: sp.host.Name, probes: probes})
	}

	rd := reader{conns: conns, parallelism: e.parallelism(), hostDone: e.hooks().ReadDone}
	if h, ok := e.hooks().(ReadStartHook); ok {
		rd.hostStart = h.ReadStarting
	}
	out, err := rd.read(ctx, reqs)
	if err != nil {
		return nil, out, err
	}
	if err := ctx.Err(); err != nil {
		return nil, out, err
	}
	// Every instance is observed first, host by host, and its results let
	// go of once it is: a host's outputs are garbage once its last
	// instance is observed, not when the last step is planned. Plans then
	// follow in step order, since triggers do.
	byHost := make(map[string][]int, len(all))
	var hostOrder []string
	for i := range all {
		h := all[i].spec.host.Name
		if _, ok := byHost[h]; !ok {
			hostOrder = append(hostOrder, h)
		}
		byHost[h] = append(byHost[h], i)
	}
	for _, h := range hostOrder {
		for _, i := range byHost[h] {
			pd := &all[i]
			if pd.rec.Error == "" {
				pd.state = e.observeInstance(pd.spec.step.Action, pd.inst, out.results[i], rec, &pd.rec)
			}
			out.results[i] = nil
		}
	}
	instances := make([]plans.Instance, 0, len(all))
	for i := range all {
		pd := &all[i]
		if pd.probed {
			pd.inst.Triggered = triggered(pd.spec)
			pd.rec.Triggered = pd.inst.Triggered
			e.planObserved(pd.spec.step.Action, pd.inst, pd.state, rec, &pd.rec)
		}
		if observed == nil {
			pd.state = nil
		}
		if pd.rec.Change.Action == "" {
			pd.rec.Change.Action = plans.NoOp
		}
		planned(pd.rec)
		instances = append(instances, pd.rec)
	}
	for i := range instances {
		r := &instances[i]
		if err := out.hostErrs[r.Host]; err != nil && r.Error == "" {
			// Never changed, even when its action needed no shell read.
			r.Error = fmt.Sprintf("host %s could not be read: %v", r.Host, err)
			r.Change = plans.Change{Action: plans.NoOp}
		}
		if observed != nil && r.Error == "" && all[i].state != nil {
			observed(r.Address, &observation{inst: all[i].inst, action: all[i].spec.step.Action, state: all[i].state})
		}
	}
	return instances, out, nil
}

// observeInstance observes one instance from its read results, recording
// the state (or the error) in out as a plan keeps it. It returns the state
// observed, nil if none could be.
func (e *Engine) observeInstance(a actions.Action, inst actions.Instance, results actions.Results, rec recorder, out *plans.Instance) actions.State {
	state, err := a.Observe(inst, results)
	if err != nil {
		out.Error = rec.text(inst, fmt.Sprintf("cannot observe: %v", err))
		return nil
	}
	raw, digest, err := rec.state(a, inst, state)
	if err != nil {
		out.Error = err.Error()
		return state
	}
	out.Observed, out.ObservedDigest = raw, digest
	return state
}

// planObserved plans one observed instance (out has no error), recording
// the change (or the error) in out as a plan keeps it.
func (e *Engine) planObserved(a actions.Action, inst actions.Instance, state actions.State, rec recorder, out *plans.Instance) {
	if out.Error != "" {
		return
	}
	change, err := a.Plan(inst, state)
	if err != nil {
		out.Error = rec.text(inst, fmt.Sprintf("cannot plan: %v", err))
		return
	}
	if !change.Action.Valid() {
		change.Action = plans.NoOp
	}
	if out.Change, err = rec.change(inst, change); err != nil {
		out.Error = fmt.Sprintf("cannot plan: %v", err)
		out.Change = plans.Change{Action: plans.NoOp}
	}
}
