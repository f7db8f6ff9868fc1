package drift

import (
	"context"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/plans"
)

// end decides the outcome, finishes the run in the journal, logs and
// updates the metrics.
func (c *cycleRun) end(ctx context.Context) {
	rep := &c.rep
	rep.Finished = c.w.clock.Now()
	failedCorrections := rep.Count(func(it Item) bool { return it.Result != "" && it.Result != plans.Interrupted && !it.Corrected() })
	interrupted := ctx.Err() != nil || rep.Count(func(it Item) bool { return it.Result == plans.Interrupted }) > 0
	switch {
	case rep.Skipped != "":
		rep.Outcome = journal.OutcomeRefused
	case interrupted:
		rep.Outcome = journal.OutcomeInterrupted
	case len(rep.Errors) > 0 || len(rep.HostErrors) > 0 || failedCorrections > 0:
		rep.Outcome = journal.OutcomeFailed
	default:
		rep.Outcome = journal.OutcomeSucceeded
	}
	rep.Summary = rep.summarize()
	switch {
	case interrupted && rep.Skipped == "" && !c.planned:
		rep.Summary = "interrupted before the plan was made"
	case interrupted && rep.Skipped == "":
		rep.Summary = "interrupted: " + rep.Summary
	}
	if c.run != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
		if err := c.run.Finish(fctx, rep.Outcome, rep.Summary); err != nil {
			c.log.Error().Err(err).Msg("recording the end of the drift cycle")
		}
		cancel()
	}
	c.logItems()
	ev := c.log.Info()
	if rep.Outcome != journal.OutcomeSucceeded {
		ev = c.log.Warn()
	}
	ev.Int64("run", rep.RunID).Str("outcome", rep.Outcome).Dur("duration", rep.Finished.Sub(rep.Started)).
		Int("pending", len(rep.Pending())).Int("corrected", rep.Count(Item.Corrected)).
		Int("flapping", rep.Count(func(it Item) bool { return it.Flapping })).Bool("window_open", rep.WindowOpen).
		Strs("errors", rep.Errors).Msg("drift cycle finished: " + rep.Summary)
	if rep.Skipped == "" {
		c.observe()
	}
}

// logItems logs every item of the cycle: a correction or a drift.
func (c *cycleRun) logItems() {
	for _, it := range c.rep.Items {
		ev := c.log.Info().Str("address", it.Address).Str("host", it.Host).Str("action", string(it.Action)).Str("object", it.Object)
		if !it.FirstSeen.IsZero() {
			ev = ev.Time("first_seen", it.FirstSeen)
		}
		if it.Flapping {
			ev = ev.Bool("flapping", true)
		}
		switch {
		case it.Result != "":
			ev.Str("result", string(it.Result)).Bool("converged", it.Converged).Str("error", it.Error).Msg("correction")
		default:
			ev.Str("held", it.Held).Msg("drift")
		}
	}
}

// observe hands the cycle's figures to the metrics.
func (c *cycleRun) observe() {
	m := c.w.cfg.Metrics
	if m == nil {
		return
	}
	rep := c.rep
	mc := metrics.Cycle{Playbook: rep.Playbook, Started: rep.Started, Duration: rep.Finished.Sub(rep.Started), Outcome: rep.Outcome}
	for _, it := range rep.Items {
		if it.Result != "" {
			mc.Corrections = append(mc.Corrections, metrics.Correction{Step: it.Step, Host: it.Host, Result: string(it.Result)})
		}
		if !it.Corrected() {
			mc.Pending = append(mc.Pending, metrics.Pending{Step: it.Step, Host: it.Host, Action: string(it.Action)})
		}
	}
	for _, r := range c.open {
		mc.Drift = append(mc.Drift, metrics.Drift{Step: r.Step, Host: r.Host, FirstSeen: r.FirstSeen, Flapping: r.Flapping})
	}
	down := map[string]bool{}
	for _, h := range rep.HostErrors {
		down[h.Host] = true
	}
	for _, h := range c.hosts {
		mc.Hosts = append(mc.Hosts, metrics.Host{Name: h, Up: !down[h]})
	}
	m.ObserveCycle(mc)
}
