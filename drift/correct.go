package drift

import (
	"context"
	"errors"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/plans"
)

// correct applies what the mode, the steps, the flapping guard and the
// window allow, and records the corrections.
func (c *cycleRun) correct(ctx context.Context, p *plans.Plan, prep *Cycle, in engine.Input) {
	w := c.w
	autoCorrect := map[string]bool{}
	for _, s := range p.Steps {
		autoCorrect[s.Name] = s.AutoCorrect
	}
	flapping := map[string]bool{}
	for addr, r := range c.open {
		flapping[addr] = r.Flapping
	}
	now := w.clock.Now()
	open, next := plans.InWindows(p.Windows, now)
	c.rep.WindowOpen, c.rep.NextWindow = open, next

	index := map[string]int{}
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
		it.Held = hold(inst, w.cfg.Mode, autoCorrect, flapping)
		if it.Held == "" && !open {
			it.Held = HeldWindow
		}
		if it.Held == "" {
			apply++
		}
		index[inst.Address] = len(c.rep.Items)
		c.rep.Items = append(c.rep.Items, it)
	}
	if apply == 0 {
		return
	}
	res, err := w.engine.Apply(ctx, p, prep.Conns, engine.ApplyOptions{
		Input: in, Journal: c.run,
		Include: func(inst plans.Instance) bool {
			return hold(inst, w.cfg.Mode, autoCorrect, flapping) == ""
		},
	})
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
		c.fail("apply", err)
		return
	}
	for _, ch := range res.Changes {
		i, ok := index[ch.Address]
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
		if _, err := w.cfg.Journal.RecordCorrection(context.WithoutCancel(ctx), p.Playbook.Name, journal.DriftCorrectionResult{
			Address: ch.Address, RunID: c.run.ID, Time: w.clock.Now(), Status: string(ch.Status), Error: ch.Error, Converged: ch.Converged,
		}); err != nil {
			c.fail("record the correction of "+ch.Address, err)
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
