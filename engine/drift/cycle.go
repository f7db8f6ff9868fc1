package drift

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/engine/plans"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/metrics"
)

// journalTimeout bounds the journal writes that record how a cycle ended,
// which run even after the cycle was asked to stop.
const journalTimeout = 30 * time.Second

// cycleRun is one cycle's state.
type cycleRun struct {
	w   *Watcher
	ctx context.Context
	log zerolog.Logger
	rep CycleReport
	run *journal.Run
	// open are the playbook's drift episodes still open, by address.
	open map[string]journal.DriftRecord
	// hosts are the hosts the plan read.
	hosts []string
	// planned is set once the plan is made.
	planned bool
}

// cycle runs one cycle and reports it; every way it ends is journaled,
// logged and counted.
func (w *Watcher) cycle(ctx context.Context) CycleReport {
	c := &cycleRun{w: w, ctx: ctx, open: map[string]journal.DriftRecord{}}
	c.rep = CycleReport{Playbook: w.cfg.Name, Mode: w.cfg.Mode, Started: w.clock.Now()}
	c.log = w.cfg.Logger.With().Str("mode", string(w.cfg.Mode)).Logger()
	c.do()
	c.end()
	return c.rep
}

// fail records a cycle-level failure.
func (c *cycleRun) fail(what string, err error) {
	c.rep.Errors = append(c.rep.Errors, fmt.Sprintf("%s: %v", what, err))
}

func (c *cycleRun) do() {
	ctx, w := c.ctx, c.w
	prep, err := w.cfg.Prepare(ctx)
	if err != nil {
		c.log = c.log.With().Str("playbook", c.rep.Playbook).Logger()
		c.fail("load the playbook and inventory", err)
		c.startRun(journal.RunInfo{Kind: journal.KindWatch, Playbook: w.cfg.Name})
		return
	}
	defer func() {
		if err := prep.Conns.Close(); err != nil {
			c.log.Warn().Err(err).Msg("closing the connections")
		}
	}()
	in := prep.Input
	if in.Playbook.Name != "" {
		c.rep.Playbook = in.Playbook.Name
	}
	c.log = c.log.With().Str("playbook", c.rep.Playbook).Logger()
	if !c.startRun(journal.RunInfo{Kind: journal.KindWatch, Playbook: in.Playbook.Name, PlaybookDigest: in.Playbook.Digest,
		Inventory: in.Inventory.Path, InventoryDigest: in.Inventory.Digest}) {
		return
	}
	lock := prep.Lock
	if lock == "" {
		lock = in.Inventory.Path
	}
	release, err := w.cfg.Journal.Lock(ctx, lock, c.run)
	var held *journal.LockedError
	if errors.As(err, &held) {
		c.skip(held)
		return
	}
	if err != nil {
		c.fail("take the lock", err)
		return
	}
	defer func() {
		if err := release(); err != nil {
			c.log.Error().Err(err).Msg("releasing the lock")
		}
	}()
	c.log.Info().Int64("run", c.run.ID).Msg("drift cycle starting")

	mem, err := w.cfg.Journal.Memory(ctx, in.Playbook.Name)
	if err != nil {
		c.fail("read earlier changes", err)
		return
	}
	in.Memory = mem
	p, err := w.engine.Plan(ctx, in, prep.Conns)
	if err != nil {
		if ctx.Err() == nil {
			c.fail("plan", err)
		}
		return
	}
	c.planned = true
	if digest, err := plans.Digest(p); err == nil {
		if err := c.run.SetPlanDigest(ctx, digest); err != nil {
			c.log.Warn().Err(err).Msg("recording the plan's digest")
		}
	}
	if !c.recordDrift(p) {
		return
	}
	c.correct(p, prep, in)
}

// startRun records the cycle's run; it reports false when the journal
// could not.
func (c *cycleRun) startRun(info journal.RunInfo) bool {
	run, err := c.w.cfg.Journal.StartRun(c.ctx, info)
	if err != nil {
		c.fail("record the run", err)
		return false
	}
	c.run, c.rep.RunID = run, run.ID
	return true
}

// skip reports a cycle that did not run because another run holds the
// lock, naming the holder.
func (c *cycleRun) skip(held *journal.LockedError) {
	kind := "run"
	if rec, _, err := c.w.cfg.Journal.Run(c.ctx, held.RunID); err == nil {
		kind = rec.Kind + " run"
	}
	c.rep.Skipped = fmt.Sprintf("%s %d by %s on %s (pid %d) holds the lock on %s since %s",
		kind, held.RunID, held.User, held.Machine, held.PID, held.Name, held.Since.UTC().Format(time.RFC3339))
	c.log.Warn().Int64("holder_run", held.RunID).Str("holder_kind", kind).Str("holder_user", held.User).
		Str("holder_machine", held.Machine).Int("holder_pid", held.PID).Time("holder_since", held.Since).Str("lock", held.Name).
		Msg("skipping the drift cycle: " + c.rep.Skipped)
	if m := c.w.cfg.Metrics; m != nil {
		m.CycleSkipped(c.rep.Playbook, "locked")
	}
}

// recordDrift journals what the plan found pending and learns which items
// flap. It reports false when the journal failed.
func (c *cycleRun) recordDrift(p *plans.Plan) bool {
	dc := journal.DriftCycle{Playbook: p.Playbook.Name, RunID: c.run.ID, Time: c.w.clock.Now(), Policy: c.w.cfg.Flapping}
	for _, h := range p.Hosts {
		c.hosts = append(c.hosts, h.Name)
		if h.Error != "" {
			c.rep.HostErrors = append(c.rep.HostErrors, HostError{Host: h.Name, Error: h.Error})
			c.log.Warn().Str("host", h.Name).Str("error", h.Error).Msg("host could not be read; its drift is unknown this cycle")
		}
	}
	for _, in := range p.Instances {
		switch {
		case in.Error != "":
			dc.Unknown = append(dc.Unknown, in.Address)
			if _, down := hostDown(p, in.Host); !down {
				c.rep.Errors = append(c.rep.Errors, in.Address+": "+in.Error)
			}
		case !pending(in) || in.Triggered:
		default:
			dc.Pending = append(dc.Pending, journal.DriftObservation{Address: in.Address, Step: in.Step, Host: in.Host, Action: string(in.Change.Action), Object: in.Change.Object})
		}
	}
	open, err := c.w.cfg.Journal.RecordDrift(context.WithoutCancel(c.ctx), dc)
	if err != nil {
		c.fail("record drift", err)
		return false
	}
	for _, r := range open {
		c.open[r.Address] = r
	}
	return true
}

// pending reports whether an instance plans something to report.
func pending(in plans.Instance) bool {
	return in.Error == "" && (in.Change.Action.Changes() || in.Change.Action == plans.Blocked)
}

func hostDown(p *plans.Plan, host string) (string, bool) {
	h, ok := p.Host(host)
	return h.Error, ok && h.Error != ""
}

// correct applies what the mode, the steps, the flapping guard and the
// window allow, and records the corrections.
func (c *cycleRun) correct(p *plans.Plan, prep *Cycle, in engine.Input) {
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
	open, next, err := engine.InWindow(p.Windows, now)
	if err != nil {
		c.fail("check the change windows", err)
	}
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
	res, err := w.engine.Apply(c.ctx, p, prep.Conns, engine.ApplyOptions{
		Hosts: in.Hosts, PlaybookDigest: in.Playbook.Digest, InventoryDigest: in.Inventory.Digest, Journal: c.run,
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
		if ch.Status == engine.Skipped {
			if it.Held == "" {
				it.Held = ch.Error
			}
			continue
		}
		it.Held, it.Result, it.Error, it.Converged = "", ch.Status, ch.Error, ch.Converged
		if _, err := w.cfg.Journal.RecordCorrection(context.WithoutCancel(c.ctx), p.Playbook.Name, journal.DriftCorrectionResult{
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
}

// end decides the outcome, finishes the run in the journal, logs and
// updates the metrics.
func (c *cycleRun) end() {
	rep := &c.rep
	rep.Finished = c.w.clock.Now()
	failedCorrections := rep.Count(func(it Item) bool { return it.Result != "" && it.Result != engine.Interrupted && !it.Corrected() })
	interrupted := c.ctx.Err() != nil || rep.Count(func(it Item) bool { return it.Result == engine.Interrupted }) > 0
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
		fctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), journalTimeout)
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
