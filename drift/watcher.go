package drift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
)

// Conns are one cycle's transports; the watcher closes them when the cycle
// ends.
type Conns interface {
	actions.Connections
	io.Closer
}

// Cycle is what one cycle works on, loaded afresh for every cycle so that
// an edited playbook or inventory is picked up.
type Cycle struct {
	// Input is the engine input; its playbook and inventory digests are
	// those of the files as they are now.
	Input engine.Input
	// Conns reach the hosts and directories.
	Conns Conns
}

// Config configures a Watcher.
type Config struct {
	// Name names the watched playbook in logs, metrics and the journal
	// until Prepare has loaded it (a path will do).
	Name     string
	Schedule Schedule
	Mode     Mode
	// Prepare loads the playbook and inventory and opens the transports
	// for one cycle.
	Prepare func(ctx context.Context) (*Cycle, error)
	// Operator runs each cycle's operation: its run, locks, plan and
	// corrections.
	Operator Operator
	// Store keeps the drift episodes.
	Store Store
	// Metrics receives every cycle's figures; nil means none.
	Metrics Metrics
	Logger  zerolog.Logger
	// Clock tells the time; nil means the system clock. Cycles plan and
	// apply by it, so that windows and expiries follow it.
	Clock Clock
	// Flapping is the flapping policy; the zero value means
	// DefaultFlapPolicy, a negative Corrections turns the guard off.
	Flapping FlapPolicy
	// OnCycle, when set, receives the report of every cycle Run runs,
	// skipped ones included, once the cycle has ended (to print it).
	OnCycle func(CycleReport)
	// Election, when set, makes Run run cycles only while this watcher is
	// the active one of several on a shared journal.
	Election *Election
}

// Operator runs the operation of one cycle: it opens the cycle's run in
// the journal, locks its hosts, plans with what the journal remembers and
// applies what the cycle lets through, calling back into the cycle at
// each turn, and finishes the run with an outcome (see CycleRun). The
// operation layer implements it, as it runs every apply.
type Operator interface {
	RunCycle(ctx context.Context, c *CycleRun)
}

// Watcher runs drift cycles on a schedule.
type Watcher struct {
	cfg   Config
	clock Clock
	busy  atomic.Bool
	// firstSlot is the first slot an elected watcher runs when the journal
	// has none yet.
	firstSlot time.Time
}

// ErrCycleRunning is returned by RunOnce while another cycle runs: cycles
// never overlap.
var ErrCycleRunning = errors.New("a drift cycle is already running")

// New checks cfg and returns a Watcher.
func New(cfg Config) (*Watcher, error) {
	switch {
	case cfg.Prepare == nil:
		return nil, errors.New("drift: no Prepare function")
	case cfg.Operator == nil:
		return nil, errors.New("drift: no operator")
	case cfg.Store == nil:
		return nil, errors.New("drift: no store for the drift episodes")
	}
	if _, err := ParseMode(string(cfg.Mode)); err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	if cfg.Flapping == (FlapPolicy{}) {
		cfg.Flapping = DefaultFlapPolicy
	}
	w := &Watcher{cfg: cfg, clock: cfg.Clock}
	if w.clock == nil {
		w.clock = systemClock{}
	}
	return w, nil
}

// RunOnce runs one cycle now (rectify watch -once). It returns
// ErrCycleRunning while another cycle runs; a cycle that ran reports its
// outcome in the report, also when it failed.
func (w *Watcher) RunOnce(ctx context.Context) (CycleReport, error) {
	if !w.busy.CompareAndSwap(false, true) {
		return CycleReport{}, ErrCycleRunning
	}
	defer w.busy.Store(false)
	return w.cycle(ctx, nil), nil
}

// Run runs a cycle at once, then cycles on the schedule until ctx ends:
// whoever starts a watcher sees at once what drifts and whether the
// playbook, inventory and credentials work, not after the first interval.
// A cycle still running when ctx ends stops starting changes, lets those
// under way finish, and is journaled as interrupted. A cycle that runs
// past later start times makes them skip, with a log line. Run returns
// nil once stopped.
func (w *Watcher) Run(ctx context.Context) error {
	if w.cfg.Schedule == nil {
		return errors.New("drift: no schedule")
	}
	if w.cfg.Election != nil {
		return w.runElected(ctx)
	}
	log := w.cfg.Logger
	now := w.clock.Now()
	if w.cfg.Schedule.Next(now).IsZero() {
		return errors.New("drift: the schedule never starts a cycle")
	}
	next := now
	log.Info().Str("playbook", w.cfg.Name).Str("mode", string(w.cfg.Mode)).Time("next", next).Msg("watching for drift")
	for {
		w.expect(next)
		if wait := next.Sub(w.clock.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				log.Info().Str("playbook", w.cfg.Name).Msg("stopped watching")
				return nil
			case <-w.clock.After(wait):
			}
		} else if ctx.Err() != nil {
			log.Info().Str("playbook", w.cfg.Name).Msg("stopped watching")
			return nil
		}
		if !w.busy.CompareAndSwap(false, true) {
			log.Warn().Str("playbook", w.cfg.Name).Time("scheduled", next).Msg("skipping the cycle: the previous cycle is still running")
			w.skipped("overrun", 1)
			next = w.cfg.Schedule.Next(w.clock.Now())
			continue
		}
		rep := w.cycle(ctx, nil)
		w.busy.Store(false)
		if w.cfg.OnCycle != nil {
			w.cfg.OnCycle(rep)
		}
		if ctx.Err() != nil {
			log.Info().Str("playbook", w.cfg.Name).Msg("stopped watching")
			return nil
		}
		end := w.clock.Now()
		missed := 0
		for t := w.cfg.Schedule.Next(next); !t.IsZero() && !t.After(end) && missed < 10000; t = w.cfg.Schedule.Next(t) {
			missed++
		}
		if missed > 0 {
			log.Warn().Str("playbook", w.cfg.Name).Int("skipped", missed).Time("scheduled", next).
				Msgf("the cycle ran past %d later start time(s); they were skipped", missed)
			w.skipped("overrun", missed)
		}
		next = w.cfg.Schedule.Next(end)
		if next.IsZero() {
			return errors.New("drift: the schedule starts no further cycle")
		}
	}
}

func (w *Watcher) expect(next time.Time) {
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.ExpectCycle(next)
	}
}

func (w *Watcher) skipped(reason string, n int) {
	if w.cfg.Metrics == nil {
		return
	}
	for range n {
		w.cfg.Metrics.CycleSkipped(w.cfg.Name, reason)
	}
}
