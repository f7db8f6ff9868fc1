package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/operation"
)

// DefaultLease is how long a host lock stays valid without being renewed.
// A holder renews its locks every third of it while it runs; a lock whose
// lease ran out belongs to a run that is gone or hung, and is taken over.
const DefaultLease = 2 * time.Minute

// LeaseStore keeps host locks with leases. The journal implements it, as
// one row per locked host, over SQLite and PostgreSQL alike: three
// operations, each one transaction; LockHosts does the rest.
type LeaseStore interface {
	// Acquire takes the locks of every host for h until the given time, or
	// none: when other live holders hold some, it returns a
	// *HostsLockedError naming them. A lock whose holder is gone
	// (HolderGone) is taken over.
	Acquire(ctx context.Context, h operation.Holder, hosts []string, until time.Time) error
	// Renew extends h's locks of hosts until the given time; it returns
	// ErrLeaseLost when one of them is no longer h's.
	Renew(ctx context.Context, h operation.Holder, hosts []string, until time.Time) error
	// Release drops h's locks of hosts.
	Release(ctx context.Context, h operation.Holder, hosts []string) error
}

var (
	_ LeaseStore      = (*Journal)(nil)
	_ operation.Lease = (*HostLease)(nil)
)

// HolderGone reports whether the holder of a lock is gone, so that the
// lock may be taken over at now by a process on machine: its lease ran
// out, or it ran on this machine in a process that no longer exists (kill
// -9, power loss) — the quick answer that needs no waiting for the lease.
func HolderGone(h operation.HostHolder, now time.Time, machine string) bool {
	if now.After(h.Expires) {
		return true
	}
	return strings.EqualFold(h.Machine, machine) && !processAlive(h.PID)
}

// holderOf returns the Holder of run in this process.
func holderOf(run *Run) operation.Holder {
	user, machine := whoAmI()
	return operation.Holder{RunID: run.ID, User: user, Machine: machine, PID: os.Getpid()}
}

// LockOptions tune LockHosts.
type LockOptions struct {
	// Lease is how long the locks stay valid between renewals; 0 means
	// DefaultLease.
	Lease time.Duration
}

// HostLease is a run's hold on the locks of its hosts. It renews them in
// the background until Release; if a renewal finds a lock taken over, or
// no renewal succeeds for a whole lease, Lost is closed.
type HostLease struct {
	store  LeaseStore
	holder operation.Holder
	hosts  []string
	lease  time.Duration

	lost     chan struct{}
	lostOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
	released bool
}

// LockHosts takes the locks of hosts (keys from HostKey) for the run
// holder, all or none, and keeps them until Release. It returns a
// *HostsLockedError naming the holders when other live runs hold some.
func LockHosts(ctx context.Context, store LeaseStore, holder operation.Holder, hosts []string, opts LockOptions) (*HostLease, error) {
	lease := opts.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	keys := slices.Clone(hosts)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if err := store.Acquire(ctx, holder, keys, time.Now().Add(lease)); err != nil {
		return nil, err
	}
	l := &HostLease{store: store, holder: holder, hosts: keys, lease: lease,
		lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.renew()
	return l, nil
}

// LockHosts takes the host locks for run in this journal with the
// default lease.
func (j *Journal) LockHosts(ctx context.Context, run *Run, hosts []string) (*HostLease, error) {
	return LockHosts(ctx, j, holderOf(run), hosts, LockOptions{})
}

// Lock takes the host locks for the run with the default lease; it
// implements operation.Run.
func (r *Run) Lock(ctx context.Context, hosts []string) (operation.Lease, error) {
	lease, err := r.j.LockHosts(ctx, r, hosts)
	if err != nil {
		return nil, err
	}
	return lease, nil
}

// Hosts returns the locked host keys, sorted.
func (l *HostLease) Hosts() []string { return slices.Clone(l.hosts) }

// Lost is closed when the locks can no longer be counted on.
func (l *HostLease) Lost() <-chan struct{} { return l.lost }

// renew extends the lease every third of it until Release.
func (l *HostLease) renew() {
	defer close(l.done)
	tick := time.NewTicker(l.lease / 3)
	defer tick.Stop()
	valid := time.Now().Add(l.lease)
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.lease/3)
		until := time.Now().Add(l.lease)
		err := l.store.Renew(ctx, l.holder, l.hosts, until)
		cancel()
		switch {
		case err == nil:
			valid = until
		case errors.Is(err, operation.ErrLeaseLost) || time.Now().After(valid):
			l.lostOnce.Do(func() { close(l.lost) })
			return
		}
	}
}

// Release stops the renewals and drops the locks. It may be called more
// than once.
func (l *HostLease) Release(ctx context.Context) error {
	if l.released {
		return nil
	}
	l.released = true
	close(l.stop)
	<-l.done
	if err := l.store.Release(context.WithoutCancel(ctx), l.holder, l.hosts); err != nil {
		return fmt.Errorf("journal: release the host locks: %w", err)
	}
	return nil
}
