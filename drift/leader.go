package drift

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Several watchers of one playbook on one shared journal elect one active
// watcher by lease; the others stand by and take over when its lease runs
// out (its process killed, its machine down). A cycle is a slot of the
// schedule: the time it was due, each recorded once in the journal, so
// that no slot is run twice. The slots follow one another from the last
// one recorded (Schedule.Next of it), whichever watcher recorded it; slots
// that came due while no watcher was active are recorded as covered by the
// next cycle that runs, which plans the whole drift afresh.

// Leadership is what a journal shared by several watchers provides for
// electing one of them. The journal implements it.
type Leadership interface {
	// Lead makes holder the leader of scope for lease from the journal's
	// clock, or renews term when it is still holder's and has not run
	// out. It returns the leading term: holder's, or another's.
	Lead(ctx context.Context, scope, holder string, term int64, lease time.Duration) (Term, error)
	// Resign ends holder's term at once, for another to take over.
	Resign(ctx context.Context, scope string, term int64) error
	// LastSlot returns the latest slot recorded for scope, zero for none.
	LastSlot(ctx context.Context, scope string) (time.Time, error)
	// ClaimSlot records slot for scope under term, once: it reports false
	// when the slot was recorded already, and returns ErrNotLeader when
	// term is no longer the leading one. coveredBy, when set, is the slot
	// whose cycle covers this one.
	ClaimSlot(ctx context.Context, scope string, term int64, slot, coveredBy time.Time) (bool, error)
	// SlotRun records the run of the cycle of slot.
	SlotRun(ctx context.Context, scope string, slot time.Time, runID int64) error
}

// Term is one watcher's leadership of a scope.
type Term struct {
	ID      int64
	Holder  string
	Started time.Time
	Expires time.Time
}

// ErrNotLeader says that a watcher's term ended: another took over.
var ErrNotLeader = errors.New("this watcher is no longer the active one")

// Election configures a watcher that runs only while it leads.
type Election struct {
	Leadership Leadership
	// Scope names what is elected for: the playbook.
	Scope string
	// Holder names this watcher: user@machine pid N.
	Holder string
	// Lease is how long a term lasts without renewal; a standby takes over
	// within one lease of the active watcher's death.
	Lease time.Duration
	// OnChange, when set, is told when this watcher becomes active (true)
	// or stands by (false), with the leading term.
	OnChange func(active bool, t Term)
}

// runElected runs cycles while this watcher leads, and stands by
// otherwise, until ctx ends.
func (w *Watcher) runElected(ctx context.Context) error {
	e := w.cfg.Election
	if e.Lease < 3*time.Second {
		return fmt.Errorf("drift: a lease of %s is too short (at least 3s)", e.Lease)
	}
	log := w.cfg.Logger.With().Str("playbook", w.cfg.Name).Str("holder", e.Holder).Logger()
	var term int64
	active := false
	setActive := func(a bool, t Term) {
		if m, ok := w.cfg.Metrics.(ElectionMetrics); ok {
			m.SetActive(w.cfg.Name, a)
		}
		if a != active && e.OnChange != nil {
			e.OnChange(a, t)
		}
		if a != active {
			if a {
				log.Info().Int64("term", t.ID).Msg("active watcher")
			} else {
				log.Info().Str("leader", t.Holder).Msg("standing by")
			}
		}
		active = a
	}
	defer func() {
		if term != 0 {
			if err := e.Leadership.Resign(context.WithoutCancel(ctx), e.Scope, term); err != nil {
				log.Warn().Err(err).Msg("resign")
			}
		}
	}()
	for {
		asked := time.Now()
		t, err := e.Leadership.Lead(ctx, e.Scope, e.Holder, term, e.Lease)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.Warn().Err(err).Msg("cannot reach the journal to lead")
			if term != 0 && time.Since(asked) >= e.Lease {
				term = 0
				setActive(false, Term{})
			}
		case t.Holder != e.Holder:
			term = 0
			setActive(false, t)
			w.expectShared(ctx)
		default:
			term = t.ID
			setActive(true, t)
			// The term is counted from before the request: the journal's
			// clock measured it from later.
			if err := w.lead(ctx, t, asked.Add(e.Lease)); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				log.Warn().Err(err).Msg("leadership ended")
				term = 0
				setActive(false, Term{})
			} else {
				// Renew at once: lead waited its share of the term.
				continue
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(e.Lease / 3):
		}
	}
}

// lead runs what is due while term t lasts (until validUntil by the local
// clock): the next slot's cycle when its time has come. It returns nil to
// have the term renewed, an error when the term is lost.
func (w *Watcher) lead(ctx context.Context, t Term, validUntil time.Time) error {
	e := w.cfg.Election
	last, err := e.Leadership.LastSlot(ctx, e.Scope)
	if err != nil {
		return err
	}
	now := w.clock.Now()
	// The first slot of a journal that has none is the schedule's next
	// start after this watcher first led.
	if w.firstSlot.IsZero() {
		w.firstSlot = w.cfg.Schedule.Next(now)
	}
	next := w.firstSlot
	if !last.IsZero() {
		next = w.cfg.Schedule.Next(last)
	}
	if next.After(now) {
		w.expect(next)
		// Wait for the slot, but not past a third of the lease: the term
		// is renewed in between.
		wait := min(next.Sub(now), time.Until(validUntil)-2*e.Lease/3)
		if wait > 0 {
			select {
			case <-ctx.Done():
			case <-w.clock.After(wait):
			}
		}
		return nil
	}
	// Every slot due by now: the latest runs, those before it are covered
	// by it.
	due := []time.Time{next}
	for s := w.cfg.Schedule.Next(next); !s.IsZero() && !s.After(now) && len(due) < 10000; s = w.cfg.Schedule.Next(s) {
		due = append(due, s)
	}
	slot := due[len(due)-1]
	if time.Now().After(validUntil) {
		return ErrNotLeader
	}
	for _, s := range due[:len(due)-1] {
		if _, err := e.Leadership.ClaimSlot(ctx, e.Scope, t.ID, s, slot); err != nil {
			return err
		}
	}
	if len(due) > 1 {
		w.cfg.Logger.Warn().Str("playbook", w.cfg.Name).Int("covered", len(due)-1).Time("slot", slot).
			Msg("slots came due while no watcher was active; this cycle covers them")
		w.skipped("no active watcher", len(due)-1)
	}
	claimed, err := e.Leadership.ClaimSlot(ctx, e.Scope, t.ID, slot, time.Time{})
	if err != nil || !claimed {
		return err
	}
	// The cycle stops starting changes when the term is not renewed in
	// time: another watcher may be active by then.
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := w.keepLeading(cctx, cancel, t, validUntil)
	defer stop()
	if !w.busy.CompareAndSwap(false, true) {
		return nil
	}
	// The slot names its run from the moment the run is recorded; if the
	// journal could not say so then, it is asked again at the end.
	linked := false
	rep := w.cycle(cctx, func(ctx context.Context, run int64) {
		linked = e.Leadership.SlotRun(ctx, e.Scope, slot, run) == nil
	})
	w.busy.Store(false)
	if rep.RunID != 0 && !linked {
		if err := e.Leadership.SlotRun(context.WithoutCancel(ctx), e.Scope, slot, rep.RunID); err != nil {
			w.cfg.Logger.Warn().Err(err).Msg("record the cycle's run")
		}
	}
	if w.cfg.OnCycle != nil {
		w.cfg.OnCycle(rep)
	}
	return context.Cause(cctx)
}

// keepLeading renews term t while a cycle runs; it cancels the cycle with
// ErrNotLeader once the term cannot be renewed before it runs out.
func (w *Watcher) keepLeading(ctx context.Context, cancel context.CancelCauseFunc, t Term, validUntil time.Time) func() {
	e := w.cfg.Election
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-time.After(time.Until(validUntil) - 2*e.Lease/3):
			}
			asked := time.Now()
			rctx, rcancel := context.WithDeadline(ctx, validUntil)
			got, err := e.Leadership.Lead(rctx, e.Scope, e.Holder, t.ID, e.Lease)
			rcancel()
			switch {
			case err == nil && got.ID == t.ID:
				validUntil = asked.Add(e.Lease)
			case err == nil || time.Now().After(validUntil):
				cancel(ErrNotLeader)
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// expectShared tells the metrics of a standby watcher when the next slot
// is due by the shared journal, so that its health says whether the team's
// cycles run on schedule, whichever watcher runs them.
func (w *Watcher) expectShared(ctx context.Context) {
	e := w.cfg.Election
	last, err := e.Leadership.LastSlot(ctx, e.Scope)
	if err != nil || last.IsZero() {
		return
	}
	w.expect(w.cfg.Schedule.Next(last))
}
