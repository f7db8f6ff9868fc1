package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// Plan reads the live state of every target and returns the plan. A host
// that cannot be read appears in the plan with its error, and its
// instances carry the error instead of a change; Plan fails only when the
// input itself is unusable or ctx ends.
func (e *Engine) Plan(ctx context.Context, in Input, conns actions.Connections) (*plans.Plan, error) {
	steps, err := orderSteps(in.Steps)
	if err != nil {
		return nil, err
	}
	topo := newTopology(in.Hosts)
	now := e.now().UTC()

	p := &plans.Plan{
		FormatVersion:  plans.FormatVersion,
		CreatedAt:      now,
		RectifyVersion: e.Version,
		Playbook:       in.Playbook,
		Inventory:      in.Inventory,
		Windows:        in.Windows,
		Rollout:        in.Rollout,
	}
	for _, s := range steps {
		p.Steps = append(p.Steps, plans.Step{
			Name: s.Name, Action: s.ActionID, Description: s.Description, Targets: s.Targets,
			DependsOn: s.DependsOn, TriggeredBy: s.TriggeredBy, AutoCorrect: s.AutoCorrect,
		})
	}

	// Every (step, host) instance, in step order then inventory order.
	type pending struct {
		step *Step
		inst actions.Instance
		rec  plans.Instance
	}
	var all []pending
	var reqs []readRequest
	for i := range steps {
		s := &steps[i]
		cfg, err := json.Marshal(s.Config)
		if err != nil {
			return nil, fmt.Errorf("step %q: encode configuration: %w", s.Name, err)
		}
		for _, h := range s.Targets {
			host, ok := topo.Host(h)
			if !ok {
				continue // left out by -limit
			}
			inst := actions.Instance{Step: s.Name, Host: host, Targets: s.Targets, Config: s.Config, Topology: topo, Now: now, Memory: in.Memory[plans.Address(s.Name, h)]}
			rec := plans.Instance{
				Address: plans.Address(s.Name, h), Step: s.Name, Action: s.ActionID, Host: h, Config: cfg,
			}
			probes, err := s.Action.Probes(inst)
			if err == nil {
				err = inst.RefuseOnwardReads(probes)
			}
			if err != nil {
				rec.Error = fmt.Sprintf("cannot plan: %v", err)
				probes = nil
			}
			all = append(all, pending{step: s, inst: inst, rec: rec})
			reqs = append(reqs, readRequest{host: h, probes: probes})
		}
	}

	out, err := reader{conns: conns, parallelism: e.parallelism()}.read(ctx, reqs)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hooks := e.hooks()
	done := 0
	for _, h := range in.Hosts {
		if _, read := out.commands[h.Name]; read {
			done++
			hooks.ReadDone(h.Name, done, len(out.commands), out.hostErrs[h.Name])
		}
	}

	// Observe and plan in step order, so that triggers are known.
	changed := map[string]bool{} // steps that plan a change
	for i := range all {
		pd := &all[i]
		if pd.rec.Error == "" {
			for _, t := range pd.step.TriggeredBy {
				if changed[t] {
					pd.inst.Triggered = true
				}
			}
			pd.rec.Triggered = pd.inst.Triggered
			e.planInstance(pd.step.Action, pd.inst, out.results[i], &pd.rec)
			if pd.rec.Error == "" && pd.rec.Change.Action.Changes() {
				changed[pd.step.Name] = true
			}
		}
		p.Instances = append(p.Instances, pd.rec)
	}

	// Hosts: every host the plan touches or read, in inventory order.
	used := map[string]bool{}
	for _, r := range all {
		used[r.rec.Host] = true
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
	for i := range p.Instances {
		if p.Instances[i].Change.Action == "" {
			p.Instances[i].Change.Action = plans.NoOp
		}
	}
	// An instance whose own host could not be read is never changed, even
	// when its action needed no shell read.
	for i := range p.Instances {
		in := &p.Instances[i]
		if err := out.hostErrs[in.Host]; err != nil && in.Error == "" {
			in.Error = fmt.Sprintf("host %s could not be read: %v", in.Host, err)
			in.Change = plans.Change{Action: plans.NoOp}
		}
	}
	return p, nil
}

// planInstance observes and plans one instance from its read results,
// recording the outcome (or the error) in rec.
func (e *Engine) planInstance(a actions.Action, inst actions.Instance, results actions.Results, rec *plans.Instance) {
	state, err := a.Observe(inst, results)
	if err != nil {
		rec.Error = fmt.Sprintf("cannot observe: %v", err)
		return
	}
	raw, digest, err := plans.EncodeState(state)
	if err != nil {
		rec.Error = err.Error()
		return
	}
	rec.Observed, rec.ObservedDigest = raw, digest
	change, err := a.Plan(inst, state)
	if err != nil {
		rec.Error = fmt.Sprintf("cannot plan: %v", err)
		return
	}
	if !change.Action.Valid() {
		change.Action = plans.NoOp
	}
	rec.Change = change
}
