package lab

import (
	"context"
	"time"
)

// Ops on real servers are not instant, and some are slow: repadmin binds
// to the DC's directory service, and the Exchange ops open a session to
// Exchange's management endpoint, which takes seconds. A read taken in the
// same command as such ops (a clock) is only as exact as the command knows
// when it happened, so the lab lets a test make any op slow on any host.
// The figures are a test's choice; the lab sets none by default.

// SetOpDuration makes op take d on the host every time it runs, alone or
// in a batch: the time passes before the op reads or changes anything, so
// a clock read by a slow time.read is read at its end, as the script reads
// it last. Zero or less makes the op instant again.
func (h *Host) SetOpDuration(op string, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d <= 0 {
		delete(h.durations, op)
		return
	}
	if h.durations == nil {
		h.durations = map[string]time.Duration{}
	}
	h.durations[op] = d
}

// opDuration is how long op takes on the host.
func (h *Host) opDuration(op string) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.durations[op]
}

// spend lets d pass, in real time, unless the command is stopped first:
// then the op fails as a stopped PowerShell pipeline does.
func spend(ctx context.Context, d time.Duration) *scriptError {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return thrown("The pipeline has been stopped.")
	}
}
