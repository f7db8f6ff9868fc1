package drift

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// CycleRun is one cycle of a watcher, as its Operator runs it. The
// operator opens the run, takes the locks, plans and applies; the cycle
// knows what to record of the plan, which corrections to hold back, and
// what to report. The operator calls, in order: Prepare, Started, then
// Planned, Corrections and Corrected as far as the cycle gets (Fail or
// Skip when it cannot go on), and End.
type CycleRun struct {
	w   *Watcher
	log zerolog.Logger
	rep CycleReport
	// open are the playbook's drift episodes still open, by address.
	open map[string]Episode
	// hosts are the hosts the plan read.
	hosts []string
	// planned is set once the plan is made.
	planned bool
	// index finds an item of the report by address.
	index map[string]int
	// linkRun, when set, records the cycle's run against its slot as soon
	// as the run is recorded (see Started).
	linkRun func(ctx context.Context, run int64)
}

// cycle runs one cycle and reports it; every way it ends is journaled by
// the operator, and logged and counted here.
// linkRun, when not nil, records the run against the cycle's slot.
func (w *Watcher) cycle(ctx context.Context, linkRun func(ctx context.Context, run int64)) CycleReport {
	c := &CycleRun{w: w, open: map[string]Episode{}, index: map[string]int{}, linkRun: linkRun}
	c.rep = CycleReport{Playbook: w.cfg.Name, Mode: w.cfg.Mode, Started: w.clock.Now()}
	c.log = w.cfg.Logger.With().Str("mode", string(w.cfg.Mode)).Logger()
	w.cfg.Operator.RunCycle(ctx, c)
	c.report()
	return c.rep
}

// Prepare loads the playbook and inventory afresh and opens the
// transports for the cycle.
func (c *CycleRun) Prepare(ctx context.Context) (*Cycle, error) {
	prep, err := c.w.cfg.Prepare(ctx)
	if err == nil && prep.Input.Playbook.Name != "" {
		c.rep.Playbook = prep.Input.Playbook.Name
	}
	c.log = c.log.With().Str("playbook", c.rep.Playbook).Logger()
	return prep, err
}

// Playbook names the cycle's playbook: its name once loaded, the
// watcher's name for it before.
func (c *CycleRun) Playbook() string { return c.rep.Playbook }

// Mode returns the watcher's mode.
func (c *CycleRun) Mode() Mode { return c.w.cfg.Mode }

// Now returns the time by the watcher's clock; the cycle plans and
// applies by it.
func (c *CycleRun) Now() time.Time { return c.w.clock.Now() }

// Logger returns the cycle's logger.
func (c *CycleRun) Logger() *zerolog.Logger { return &c.log }

// Started says that the cycle's run is recorded as run. A cycle of a
// shared schedule records the run against its slot at once, before it
// plans: a watcher killed at any later point leaves a slot that names
// its run, never a finished run that no slot names.
func (c *CycleRun) Started(ctx context.Context, run int64) {
	c.rep.RunID = run
	if c.linkRun != nil {
		c.linkRun(context.WithoutCancel(ctx), run)
	}
}

// Fail records a failure that ends the cycle: what could not be done, and
// why.
func (c *CycleRun) Fail(what string, err error) {
	c.rep.Errors = append(c.rep.Errors, fmt.Sprintf("%s: %v", what, err))
}

// Skip records a cycle that did not run because other runs hold the locks
// of some of its hosts: reason names them.
func (c *CycleRun) Skip(reason string) {
	c.rep.Skipped = reason
	if m := c.w.cfg.Metrics; m != nil {
		m.CycleSkipped(c.rep.Playbook, "locked")
	}
}

// Report returns what the cycle found and did so far.
func (c *CycleRun) Report() CycleReport { return c.rep }

// Verdict is how a cycle ended, as its operator judged it.
type Verdict struct {
	// Outcome is the run's outcome as the journal records it.
	Outcome string
	// OK is set for a cycle that succeeded.
	OK bool
	// Interrupted is set for a cycle that was asked to stop.
	Interrupted bool
}

// End records how the cycle ended and returns the line the journal keeps
// of its run.
func (c *CycleRun) End(v Verdict) string {
	rep := &c.rep
	rep.Finished = c.w.clock.Now()
	rep.Outcome, rep.OK = v.Outcome, v.OK
	rep.Summary = rep.summarize()
	switch {
	case v.Interrupted && rep.Skipped == "" && !c.planned:
		rep.Summary = "interrupted before the plan was made"
	case v.Interrupted && rep.Skipped == "":
		rep.Summary = "interrupted: " + rep.Summary
	}
	return rep.Summary
}
