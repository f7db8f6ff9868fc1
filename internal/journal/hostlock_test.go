package journal

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/operation"
)

// holders returns the (host, run) pairs of a operation.HostsLockedError.
func holders(t *testing.T, err error) map[string]int64 {
	t.Helper()
	var le *operation.HostsLockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a operation.HostsLockedError", err)
	}
	out := map[string]int64{}
	for _, h := range le.Held {
		out[h.Host] = h.RunID
	}
	return out
}

// TestHostLocksOverlapAndDisjoint: runs on disjoint hosts hold their locks
// at once; a run that overlaps is refused as a whole, naming each holder
// and the hosts it holds, and gets its locks once they are released.
func TestHostLocksOverlapAndDisjoint(t *testing.T) { eachBackend(t, testHostLocksOverlapAndDisjoint) }

func testHostLocksOverlapAndDisjoint(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, path := openFresh(t, fresh)
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	apply, _ := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply})
	watch, _ := other.StartRun(ctx, operation.RunInfo{Kind: operation.KindWatch})
	third, _ := other.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply})
	first, err := j.LockHosts(ctx, apply, []string{"ex01.corp.example.com", "dc01.corp.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := other.LockHosts(ctx, watch, []string{"ex02.corp.example.com"})
	if err != nil {
		t.Fatalf("disjoint hosts: %v", err)
	}
	_, err = other.LockHosts(ctx, third, []string{"dc01.corp.example.com", "dc02.corp.example.com", "ex01.corp.example.com", "ex02.corp.example.com"})
	want := map[string]int64{"dc01.corp.example.com": apply.ID, "ex01.corp.example.com": apply.ID, "ex02.corp.example.com": watch.ID}
	if diff := cmp.Diff(want, holders(t, err)); diff != "" {
		t.Errorf("holders (-want +got):\n%s", diff)
	}
	user, machine := whoAmI()
	for _, part := range []string{
		"another run holds the lock on hosts this run changes: apply run 1 by " + user + " on " + machine,
		"holds the lock on dc01.corp.example.com, ex01.corp.example.com since",
		"; watch run 2 by ", "holds the lock on ex02.corp.example.com since",
	} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q lacks %q", err, part)
		}
	}
	// All or none: dc02 was free but is not taken.
	if _, err := j.LockHosts(ctx, apply, []string{"dc02.corp.example.com"}); err != nil {
		t.Errorf("dc02 was left locked by the refused run: %v", err)
	}
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := second.Release(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = other.LockHosts(ctx, third, []string{"ex01.corp.example.com", "ex02.corp.example.com"})
	if err != nil {
		t.Errorf("after both released: %v", err)
	}
}

// TestHostLockTakeOver: a lock is taken over when its holder is gone: a
// dead process on this machine at once, a holder on another machine once
// its lease has run out, never before.
func TestHostLockTakeOver(t *testing.T) { eachBackend(t, testHostLockTakeOver) }

func testHostLockTakeOver(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	user, machine := whoAmI()
	mine, _ := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply})
	tests := []struct {
		name   string
		holder operation.Holder
		until  time.Time
		gone   bool
	}{
		{"live process here", operation.Holder{RunID: 100, User: user, Machine: machine, PID: os.Getppid()}, time.Now().Add(time.Hour), false},
		{"dead process here", operation.Holder{RunID: 101, User: user, Machine: machine, PID: deadPID(t)}, time.Now().Add(time.Hour), true},
		{"other machine, lease valid", operation.Holder{RunID: 102, User: "bob", Machine: "adm-elsewhere", PID: 4242}, time.Now().Add(time.Hour), false},
		{"other machine, lease run out", operation.Holder{RunID: 103, User: "bob", Machine: "adm-elsewhere", PID: 4242}, time.Now().Add(-time.Second), true},
		{"live process here, lease run out (hung or pid reused)", operation.Holder{RunID: 104, User: user, Machine: machine, PID: os.Getppid()}, time.Now().Add(-time.Second), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := "h" + string(rune('a'+i)) + ".corp.example.com"
			if err := j.Acquire(ctx, tt.holder, []string{host}, tt.until); err != nil {
				t.Fatal(err)
			}
			lease, err := j.LockHosts(ctx, mine, []string{host})
			if tt.gone {
				if err != nil {
					t.Fatalf("the gone holder's lock was not taken over: %v", err)
				}
				lease.Release(ctx)
				return
			}
			if diff := cmp.Diff(map[string]int64{host: tt.holder.RunID}, holders(t, err)); diff != "" {
				t.Errorf("holders (-want +got):\n%s", diff)
			}
		})
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	p, err := os.StartProcess(os.Args[0], []string{os.Args[0], "-test.run=^$"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return p.Pid
}

// TestHostLeaseRenewedAndLost: a holder renews its lease while it runs,
// so that its lock outlives the lease; when the lock is taken over anyway
// (the holder could not renew in time), the holder learns it: Lost is
// closed and the context from operation.WithLease ends with operation.ErrLeaseLost.
func TestHostLeaseRenewedAndLost(t *testing.T) { eachBackend(t, testHostLeaseRenewedAndLost) }

func testHostLeaseRenewedAndLost(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	run, _ := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindWatch})
	const lease = 300 * time.Millisecond
	holder := holderOf(run)
	store := &stallingStore{LeaseStore: j}
	l, err := LockHosts(ctx, store, holder, []string{"ex01.corp.example.com"}, LockOptions{Lease: lease})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := operation.WithLease(ctx, l)
	defer stop()
	time.Sleep(3 * lease)
	// Another machine's run finds the lock held: it was renewed.
	elsewhere := operation.Holder{RunID: 999, User: "bob", Machine: "adm-elsewhere", PID: 1}
	if err := j.Acquire(ctx, elsewhere, []string{"ex01.corp.example.com"}, time.Now().Add(time.Hour)); err == nil {
		t.Fatal("the renewed lock was taken over")
	}
	select {
	case <-l.Lost():
		t.Fatal("a renewed lease reports itself lost")
	default:
	}
	// The holder stalls (its renewals stop reaching the journal) and the
	// lock is taken over once the lease ran out.
	store.stalled.Store(true)
	time.Sleep(lease + lease/2)
	if err := j.Acquire(ctx, elsewhere, []string{"ex01.corp.example.com"}, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("the expired lock was not taken over: %v", err)
	}
	store.stalled.Store(false)
	select {
	case <-runCtx.Done():
	case <-time.After(5 * lease):
		t.Fatal("the holder did not learn that its lock was taken over")
	}
	if !errors.Is(context.Cause(runCtx), operation.ErrLeaseLost) {
		t.Errorf("cause = %v, want operation.ErrLeaseLost", context.Cause(runCtx))
	}
	// Releasing leaves the new holder's lock alone.
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	mine, _ := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply})
	if _, err := j.LockHosts(ctx, mine, []string{"ex01.corp.example.com"}); err == nil {
		t.Error("the released lease dropped the lock another run had taken over")
	}
}

// TestHostKeys: a host is locked by its FQDN, whatever the inventory calls
// it, and by its name when it has no FQDN.
func TestHostKeys(t *testing.T) {
	got := operation.HostKeys([]actions.Host{
		{Name: "ex01", FQDN: "EX01.corp.example.com."},
		{Name: "exchange-1", FQDN: "ex01.corp.example.com"},
		{Name: "DC01"},
	})
	if diff := cmp.Diff([]string{"dc01", "ex01.corp.example.com"}, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// stallingStore fails renewals while stalled, as a journal that cannot be
// reached does.
type stallingStore struct {
	LeaseStore
	stalled atomic.Bool
}

func (s *stallingStore) Renew(ctx context.Context, h operation.Holder, hosts []string, until time.Time) error {
	if s.stalled.Load() {
		return errors.New("database is locked")
	}
	return s.LeaseStore.Renew(ctx, h, hosts, until)
}
