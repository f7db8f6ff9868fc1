package operation

import (
	"context"
	"errors"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
)

// Journal is where operations record their runs. The SQLite journal
// implements it; a journal shared by a team implements the same.
type Journal interface {
	// Begin records the start of a run. An apply of a plan an earlier
	// apply already started is recorded as refused, and Begin returns a
	// *ReplayError.
	Begin(ctx context.Context, info RunInfo) (Run, error)
	// Memory returns what the journal remembers of the last applied
	// change of every instance of a playbook, by instance address.
	Memory(ctx context.Context, playbook string) (map[string]*actions.Memory, error)
}

// Run is one open run: it records every change the engine makes (before
// and after), holds the locks of its hosts, and records how it ended.
type Run interface {
	engine.Journal
	// RunID returns the run's number in the journal.
	RunID() int64
	// Lock takes the locks of hosts (keys from HostKey) for the run, all
	// or none, and keeps them until the lease is released. It returns a
	// *HostsLockedError naming the holders when other live runs hold
	// some.
	Lock(ctx context.Context, hosts []string) (Lease, error)
	// SetPlanDigest records the digest of the plan the run made after it
	// started.
	SetPlanDigest(ctx context.Context, digest string) error
	// Finish records how the run ended.
	Finish(ctx context.Context, outcome Outcome, summary string) error
}

// Lease is a run's hold on the locks of its hosts, renewed until
// released.
type Lease interface {
	// Lost is closed when the locks can no longer be counted on.
	Lost() <-chan struct{}
	// Release drops the locks; it may be called more than once.
	Release(ctx context.Context) error
}

// ErrLeaseLost says that a run's host lock was taken over by another run
// because its lease ran out (the holder was suspended or could not reach
// the journal for longer than the lease).
var ErrLeaseLost = errors.New("the lock on the hosts was taken over after its lease ran out")

// WithLease returns a context that ends when ctx does or when the lease is
// lost, so that a run stops starting changes on hosts it may no longer
// hold. Its cause is then ErrLeaseLost.
func WithLease(ctx context.Context, l Lease) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-l.Lost():
			cancel(ErrLeaseLost)
		case <-out.Done():
		}
	}()
	return out, func() { cancel(context.Canceled) }
}
