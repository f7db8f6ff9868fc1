package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// coalescing is the Connections a batch's changes run with: a read-only
// run (ops.ScriptRun without Mutates) that is already under way on the
// same host with the same script and arguments is not run again, its
// callers share the answer. The changes of a batch start together, and
// several of them often read the same thing of the same host to report on
// it (the KDC events of the DCs every Exchange server of a site names):
// the host answers once, as one read made for all of them at that moment.
// A run that may change the host always runs, and a read made after
// another has finished runs again: nothing is kept. A read joins one
// already under way, which may have started before the caller's own
// change to that host ended: an action that must read what it wrote reads
// it in the same run as the write.
type coalescing struct {
	actions.Connections
	// memo, when set, is the run's memo of reads over many hosts: a run
	// that may change a host makes it forget the host.
	memo *runMemo

	mu       sync.Mutex
	inflight map[string]*flight
}

// flight is one read-only run under way and those waiting for it.
type flight struct {
	done    chan struct{}
	waiters int
	res     ops.ScriptResult
	err     error
}

var _ actions.Connections = (*coalescing)(nil)

func newCoalescing(conns actions.Connections, memo *runMemo) *coalescing {
	return &coalescing{Connections: conns, memo: memo, inflight: map[string]*flight{}}
}

// Shell implements actions.Connections.
func (c *coalescing) Shell(ctx context.Context, host string) (ops.Shell, error) {
	sh, err := c.Connections.Shell(ctx, host)
	if err != nil {
		return nil, err
	}
	return coalescingShell{Shell: sh, host: host, c: c}, nil
}

type coalescingShell struct {
	ops.Shell
	host string
	c    *coalescing
}

// RunScript implements ops.Shell.
func (s coalescingShell) RunScript(ctx context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	if run.Mutates {
		if s.c.memo != nil {
			s.c.memo.forget(s.host)
		}
		res, err := s.Shell.RunScript(ctx, run)
		if s.c.memo != nil {
			// A read of the host that started before the change ended
			// is not kept either.
			s.c.memo.forget(s.host)
		}
		return res, err
	}
	key := fmt.Sprintf("%s\x00%s\x00%d\x00%s\x00%s\x00%v\x00%d", s.host, run.Script.Op, run.Script.Version, run.Script.Text, run.Args, run.SensitiveArgs, run.MaxOutput)
	s.c.mu.Lock()
	if f, ok := s.c.inflight[key]; ok {
		f.waiters++
		s.c.mu.Unlock()
		select {
		case <-f.done:
			if (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				// The read it waited for ran out of its caller's time,
				// not of this one's: ask again.
				return s.RunScript(ctx, run)
			}
			return f.res, f.err
		case <-ctx.Done():
			return ops.ScriptResult{}, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	s.c.inflight[key] = f
	s.c.mu.Unlock()

	f.res, f.err = s.Shell.RunScript(ctx, run)
	s.c.mu.Lock()
	delete(s.c.inflight, key)
	s.c.mu.Unlock()
	close(f.done)
	return f.res, f.err
}
