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

	"github.com/rectifyhq/rectify/actions"
)

// DefaultLease is how long a host lock stays valid without being renewed.
// A holder renews its locks every third of it while it runs; a lock whose
// lease ran out belongs to a run that is gone or hung, and is taken over.
const DefaultLease = 2 * time.Minute

// Holder identifies the run that holds host locks: the run and the process
// that runs it.
type Holder struct {
	RunID   int64
	User    string
	Machine string
	PID     int
}

// HostHolder is one held host lock.
type HostHolder struct {
	Holder
	// Host is the lock's key (see HostKey).
	Host string
	// Kind is the holder run's kind (apply, watch), "" when unknown.
	Kind     string
	Acquired time.Time
	Expires  time.Time
}

// LeaseStore keeps host locks with leases. The journal implements it over
// SQLite; a journal shared by a team (PostgreSQL) implements the same three
// operations, each one transaction, and LockHosts does the rest.
type LeaseStore interface {
	// Acquire takes the locks of every host for h until the given time, or
	// none: when other live holders hold some, it returns a
	// *HostsLockedError naming them. A lock whose holder is gone
	// (HolderGone) is taken over.
	Acquire(ctx context.Context, h Holder, hosts []string, until time.Time) error
	// Renew extends h's locks of hosts until the given time; it returns
	// ErrLeaseLost when one of them is no longer h's.
	Renew(ctx context.Context, h Holder, hosts []string, until time.Time) error
	// Release drops h's locks of hosts.
	Release(ctx context.Context, h Holder, hosts []string) error
}

var _ LeaseStore = (*Journal)(nil)

// ErrLeaseLost says that a run's host lock was taken over by another run
// because its lease ran out (the holder was suspended or could not reach
// the journal for longer than the lease).
var ErrLeaseLost = errors.New("the lock on the hosts was taken over after its lease ran out")

// HostsLockedError is returned when other runs hold some of the hosts a
// run is to change.
type HostsLockedError struct {
	// Held are the held locks, sorted by host.
	Held []HostHolder
}

func (e *HostsLockedError) Error() string {
	return "another run holds the lock on hosts this run changes: " + e.Describe() + "; wait for it to finish"
}

// Describe names each holder and the hosts it holds: "apply run 4 by alice
// on adm01 (pid 4242) holds the lock on ex01.corp.example.com,
// ex02.corp.example.com since 2026-11-28T22:00:05Z".
func (e *HostsLockedError) Describe() string {
	var parts []string
	for i := 0; i < len(e.Held); {
		h := e.Held[i]
		var hosts []string
		for ; i < len(e.Held) && e.Held[i].Holder == h.Holder; i++ {
			hosts = append(hosts, e.Held[i].Host)
		}
		kind := "run"
		if h.Kind != "" {
			kind = h.Kind + " run"
		}
		parts = append(parts, fmt.Sprintf("%s %d by %s on %s (pid %d) holds the lock on %s since %s",
			kind, h.RunID, h.User, h.Machine, h.PID, strings.Join(hosts, ", "), h.Acquired.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, "; ")
}

// HostKey is the key of a host's lock: its FQDN in lower case, or its
// inventory name when it has none. Two inventories (or a copy of one)
// naming the same machine lock the same key.
func HostKey(h actions.Host) string {
	if f := strings.TrimSuffix(strings.TrimSpace(h.FQDN), "."); f != "" {
		return strings.ToLower(f)
	}
	return strings.ToLower(h.Name)
}

// HostKeys returns the sorted, distinct keys of hosts.
func HostKeys(hosts []actions.Host) []string {
	keys := make([]string, 0, len(hosts))
	for _, h := range hosts {
		keys = append(keys, HostKey(h))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// HolderGone reports whether the holder of a lock is gone, so that the
// lock may be taken over at now by a process on machine: its lease ran
// out, or it ran on this machine in a process that no longer exists (kill
// -9, power loss) — the quick answer that needs no waiting for the lease.
func HolderGone(h HostHolder, now time.Time, machine string) bool {
	if now.After(h.Expires) {
		return true
	}
	return strings.EqualFold(h.Machine, machine) && !processAlive(h.PID)
}

// holderOf returns the Holder of run in this process.
func holderOf(run *Run) Holder {
	user, machine := whoAmI()
	return Holder{RunID: run.ID, User: user, Machine: machine, PID: os.Getpid()}
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
	holder Holder
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
func LockHosts(ctx context.Context, store LeaseStore, holder Holder, hosts []string, opts LockOptions) (*HostLease, error) {
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
		case errors.Is(err, ErrLeaseLost) || time.Now().After(valid):
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

// WithLease returns a context that ends when ctx does or when the lease is
// lost, so that a run stops starting changes on hosts it may no longer
// hold. Its cause is then ErrLeaseLost.
func WithLease(ctx context.Context, l *HostLease) (context.Context, context.CancelFunc) {
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
