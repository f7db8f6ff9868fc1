package operation

import (
	"context"
	"errors"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

var _ drift.Operator = (*Runner)(nil)

// RunCycle runs one drift cycle as an operation: it loads the cycle's
// input, records its run, locks every host the cycle may read and change
// (a cycle whose hosts another run holds is skipped), plans with what the
// journal remembers, lets the cycle record the drift and choose the
// corrections, applies them, and finishes the run with the cycle's
// outcome. The cycle plans and applies by the watcher's clock.
func (r *Runner) RunCycle(ctx context.Context, c *drift.CycleRun) {
	run := r.cycle(ctx, c)
	rep := c.Report()
	v := cycleVerdict(ctx, rep)
	summary := c.End(v)
	if run == nil {
		return
	}
	if err := finish(ctx, run, Outcome(v.Outcome), summary); err != nil {
		c.Logger().Error().Err(err).Msg("recording the end of the drift cycle")
	}
}

// cycle runs the cycle up to its end and returns its run, nil when none
// could be recorded.
func (r *Runner) cycle(ctx context.Context, c *drift.CycleRun) Run {
	log := c.Logger()
	prep, err := c.Prepare(ctx)
	if err != nil {
		c.Fail("load the playbook and inventory", err)
		// The failed cycle is journaled too, under the watched name.
		run, _ := r.beginCycle(ctx, c, RunInfo{Kind: KindWatch, Playbook: c.Playbook()})
		return run
	}
	defer func() {
		if err := prep.Conns.Close(); err != nil {
			log.Warn().Err(err).Msg("closing the connections")
		}
	}()
	in := prep.Input
	run, ok := r.beginCycle(ctx, c, RunInfo{Kind: KindWatch, Playbook: in.Playbook.Name, PlaybookDigest: in.Playbook.Digest,
		Inventory: in.Inventory.Path, InventoryDigest: in.Inventory.Digest})
	if !ok {
		return nil
	}
	lease, err := run.Lock(ctx, lockedHosts(KindWatch, nil, in.Hosts))
	var held *HostsLockedError
	if errors.As(err, &held) {
		first := held.Held[0]
		kind := "run"
		if first.Kind != "" {
			kind = first.Kind + " run"
		}
		log.Warn().Int64("holder_run", first.RunID).Str("holder_kind", kind).Str("holder_user", first.User).
			Str("holder_machine", first.Machine).Int("holder_pid", first.PID).Time("holder_since", first.Acquired).
			Strs("hosts", held.Hosts()).
			Msg("skipping the drift cycle: " + held.Describe())
		c.Skip(held.Describe())
		return run
	}
	if err != nil {
		c.Fail("take the host locks", err)
		return run
	}
	defer func() {
		if err := lease.Release(ctx); err != nil {
			log.Error().Err(err).Msg("releasing the host locks")
		}
	}()
	ctx, stop := WithLease(ctx, lease)
	defer stop()
	log.Info().Int64("run", run.RunID()).Msg("drift cycle starting")

	if in.Memory, err = r.Journal.Memory(ctx, in.Playbook.Name); err != nil {
		c.Fail("read earlier changes", err)
		return run
	}
	e := r.engine(nil, c.Now)
	p, err := e.Plan(ctx, in, prep.Conns)
	if err != nil {
		if ctx.Err() == nil {
			c.Fail("plan", err)
		}
		return run
	}
	if digest, err := plans.Digest(p); err == nil {
		if err := run.SetPlanDigest(ctx, digest); err != nil {
			log.Warn().Err(err).Msg("recording the plan's digest")
		}
	}
	if !c.Planned(ctx, p) {
		return run
	}
	include := c.Corrections(p)
	if include == nil {
		return run
	}
	res, err := e.Apply(ctx, p, prep.Conns, engine.ApplyOptions{Input: in, Journal: run, Include: include})
	c.Corrected(ctx, p, res, err)
	return run
}

// beginCycle records the cycle's run; it reports false when the journal
// could not.
func (r *Runner) beginCycle(ctx context.Context, c *drift.CycleRun, info RunInfo) (Run, bool) {
	run, err := r.Journal.Begin(ctx, info)
	if err != nil {
		c.Fail("record the run", err)
		return nil, false
	}
	c.Started(ctx, run.RunID())
	return run, true
}

// cycleVerdict judges how a cycle ended: refused when it was skipped,
// interrupted when asked to stop or a correction was, failed when
// anything went wrong (an error, a host that could not be read, a
// correction that did not take), succeeded otherwise.
func cycleVerdict(ctx context.Context, rep drift.CycleReport) drift.Verdict {
	failedCorrections := rep.Count(func(it drift.Item) bool {
		return it.Result != "" && it.Result != plans.Interrupted && !it.Corrected()
	})
	interrupted := ctx.Err() != nil || rep.Count(func(it drift.Item) bool { return it.Result == plans.Interrupted }) > 0
	v := drift.Verdict{Interrupted: interrupted}
	switch {
	case rep.Skipped != "":
		v.Outcome = string(Refused)
	case interrupted:
		v.Outcome = string(Interrupted)
	case len(rep.Errors) > 0 || len(rep.HostErrors) > 0 || failedCorrections > 0:
		v.Outcome = string(Failed)
	default:
		v.Outcome, v.OK = string(Succeeded), true
	}
	return v
}
