package drift

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/plans"
)

// journalTimeout bounds the journal writes that record how a cycle ended,
// which run even after the cycle was asked to stop.
const journalTimeout = 30 * time.Second

// cycleRun is one cycle's state.
type cycleRun struct {
	w   *Watcher
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
	c := &cycleRun{w: w, open: map[string]journal.DriftRecord{}}
	c.rep = CycleReport{Playbook: w.cfg.Name, Mode: w.cfg.Mode, Started: w.clock.Now()}
	c.log = w.cfg.Logger.With().Str("mode", string(w.cfg.Mode)).Logger()
	c.do(ctx)
	c.end(ctx)
	return c.rep
}

// fail records a cycle-level failure.
func (c *cycleRun) fail(what string, err error) {
	c.rep.Errors = append(c.rep.Errors, fmt.Sprintf("%s: %v", what, err))
}

// do runs the cycle's steps: load, journal, lock, plan, record, correct.
// It returns early when a step fails; end reports how far it came.
func (c *cycleRun) do(ctx context.Context) {
	w := c.w
	prep, err := w.cfg.Prepare(ctx)
	if err != nil {
		c.log = c.log.With().Str("playbook", c.rep.Playbook).Logger()
		c.fail("load the playbook and inventory", err)
		c.startRun(ctx, journal.RunInfo{Kind: journal.KindWatch, Playbook: w.cfg.Name})
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
	if !c.startRun(ctx, journal.RunInfo{Kind: journal.KindWatch, Playbook: in.Playbook.Name, PlaybookDigest: in.Playbook.Digest,
		Inventory: in.Inventory.Path, InventoryDigest: in.Inventory.Digest}) {
		return
	}
	// The cycle may read and change any of its hosts: it locks them all
	// before reading, so that it neither reads a host in the middle of
	// another run's change nor changes it at the same time.
	lease, err := w.cfg.Journal.LockHosts(ctx, c.run, journal.HostKeys(in.Hosts))
	var held *journal.HostsLockedError
	if errors.As(err, &held) {
		c.skip(ctx, held)
		return
	}
	if err != nil {
		c.fail("take the host locks", err)
		return
	}
	defer func() {
		if err := lease.Release(ctx); err != nil {
			c.log.Error().Err(err).Msg("releasing the host locks")
		}
	}()
	ctx, stop := journal.WithLease(ctx, lease)
	defer stop()
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
	if !c.recordDrift(ctx, p) {
		return
	}
	c.correct(ctx, p, prep, in)
}

// startRun records the cycle's run; it reports false when the journal
// could not.
func (c *cycleRun) startRun(ctx context.Context, info journal.RunInfo) bool {
	run, err := c.w.cfg.Journal.StartRun(ctx, info)
	if err != nil {
		c.fail("record the run", err)
		return false
	}
	c.run, c.rep.RunID = run, run.ID
	return true
}

// skip reports a cycle that did not run because other runs hold the locks
// of some of its hosts, naming the first holder in the log fields and
// every holder in the reason.
func (c *cycleRun) skip(_ context.Context, held *journal.HostsLockedError) {
	first := held.Held[0]
	kind := "run"
	if first.Kind != "" {
		kind = first.Kind + " run"
	}
	c.rep.Skipped = held.Describe()
	c.log.Warn().Int64("holder_run", first.RunID).Str("holder_kind", kind).Str("holder_user", first.User).
		Str("holder_machine", first.Machine).Int("holder_pid", first.PID).Time("holder_since", first.Acquired).
		Strs("hosts", heldHosts(held)).
		Msg("skipping the drift cycle: " + c.rep.Skipped)
	if m := c.w.cfg.Metrics; m != nil {
		m.CycleSkipped(c.rep.Playbook, "locked")
	}
}

// heldHosts lists the held hosts of err.
func heldHosts(err *journal.HostsLockedError) []string {
	out := make([]string, len(err.Held))
	for i, h := range err.Held {
		out[i] = h.Host
	}
	return out
}
