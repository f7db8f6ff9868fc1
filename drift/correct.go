package drift

import (
	"context"
	"errors"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// Corrections lists what the cycle's plan found pending as the report's
// items, each held back when the mode, the step, the flapping guard or
// the change windows say so, and returns the filter of the instances to
// apply; nil when there is none.
func (c *CycleRun) Corrections(p *plans.Plan) func(plans.Instance) bool {
	mode := c.w.cfg.Mode
	autoCorrect := map[string]bool{}
	for _, s := range p.Steps {
		autoCorrect[s.Name] = s.AutoCorrect
	}
	flapping := map[string]bool{}
	for addr, r := range c.open {
		flapping[addr] = r.Flapping
	}
	open, next := plans.InWindows(p.Windows, c.w.clock.Now())
	c.rep.WindowOpen, c.rep.NextWindow = open, next

	apply := 0
	for _, inst := range p.Instances {
		if !pending(inst) {
			continue
		}
		it := Item{Address: inst.Address, Step: inst.Step, Host: inst.Host, Action: inst.Change.Action, Object: inst.Change.Object,
			Reason: inst.Change.Reason, Triggered: inst.Triggered, Revert: inst.Change.Revert}
		if r, ok := c.open[inst.Address]; ok {
			it.FirstSeen, it.Flapping = r.FirstSeen, r.Flapping
		}
		it.Held = hold(inst, mode, autoCorrect, flapping)
		if it.Held == "" && !open {
			it.Held = HeldWindow
		}
		if it.Held == "" {
			apply++
		}
		c.index[inst.Address] = len(c.rep.Items)
		c.rep.Items = append(c.rep.Items, it)
	}
	if apply == 0 {
		return nil
	}
	return func(inst plans.Instance) bool {
		return hold(inst, mode, autoCorrect, flapping) == ""
	}
}

// Corrected records how the corrections went: res and err are what the
// engine's apply returned.
func (c *CycleRun) Corrected(ctx context.Context, p *plans.Plan, res *engine.ApplyResult, err error) {
	var closed *engine.WindowClosedError
	if errors.As(err, &closed) {
		// The window closed between the check and the apply.
		c.rep.WindowOpen, c.rep.NextWindow = false, closed.Next
		for i := range c.rep.Items {
			if c.rep.Items[i].Held == "" {
				c.rep.Items[i].Held = HeldWindow
			}
		}
		return
	}
	if err != nil {
		c.Fail("apply", err)
		return
	}
	for _, ch := range res.Changes {
		i, ok := c.index[ch.Address]
		if !ok {
			continue
		}
		it := &c.rep.Items[i]
		if ch.Status == plans.Skipped {
			if it.Held == "" {
				it.Held = ch.Error
			}
			continue
		}
		it.Held, it.Result, it.Error, it.Converged = "", ch.Status, ch.Error, ch.Converged
		if _, err := c.w.cfg.Store.RecordCorrection(context.WithoutCancel(ctx), p.Playbook.Name, CorrectionResult{
			Address: ch.Address, RunID: c.rep.RunID, Time: c.w.clock.Now(), Status: string(ch.Status), Error: ch.Error, Converged: ch.Converged,
		}); err != nil {
			c.Fail("record the correction of "+ch.Address, err)
		}
		if it.Corrected() {
			delete(c.open, ch.Address)
		}
	}
	for _, addr := range res.NotConverged {
		c.rep.Errors = append(c.rep.Errors, addr+": did not converge after its correction")
	}
	for _, ch := range res.Changes {
		if ch.VerifyError != "" {
			c.rep.Errors = append(c.rep.Errors, ch.Address+": applied, but could not be verified: "+ch.VerifyError)
		}
	}
}
