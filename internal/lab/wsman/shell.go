package wsman

import (
	"context"
	"time"
)

// shell is one Windows Remote Shell on a host. Its fields are guarded by the
// host's mutex.
type shell struct {
	id       string
	owner    string
	input    string
	output   string
	lastUsed time.Time
	commands map[string]*command
}

// close terminates every command of the shell.
func (s *shell) close() {
	for id, c := range s.commands {
		c.terminate()
		delete(s.commands, id)
	}
}

// expired reports whether the shell has seen no request for idle.
func (s *shell) expired(now time.Time, idle time.Duration) bool {
	return now.Sub(s.lastUsed) > idle
}

// receiveResult is what one Receive takes from a command.
type receiveResult struct {
	stdout, stderr []byte
	done           bool
	exitCode       int
}

// receive waits until the command has output or has finished and takes up
// up to budget bytes of output. It gives up with the w:TimedOut fault after
// timeout, and with ctx. When stalled is set, completion is hidden: only
// output is delivered.
func (c *command) receive(ctx context.Context, timeout time.Duration, budget int, stalled func() bool) (receiveResult, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		// stalled takes the host's lock: ask before taking the command's,
		// which is always taken after the host's.
		hide := stalled()
		c.mu.Lock()
		if len(c.stdout) > 0 || len(c.stderr) > 0 || (c.done && !hide) {
			var r receiveResult
			r.stdout, c.stdout = take(c.stdout, budget)
			r.stderr, c.stderr = take(c.stderr, budget-len(r.stdout))
			r.done = c.done && !hide && len(c.stdout) == 0 && len(c.stderr) == 0
			r.exitCode = c.exitCode
			c.mu.Unlock()
			return r, nil
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return receiveResult{}, faultTimedOut()
		case <-ctx.Done():
			return receiveResult{}, ctx.Err()
		}
	}
}

// take splits off up to n bytes from the front of b.
func take(b []byte, n int) (taken, rest []byte) {
	if n <= 0 || len(b) == 0 {
		return nil, b
	}
	if len(b) <= n {
		return b, nil
	}
	taken = append([]byte(nil), b[:n]...)
	return taken, b[n:]
}
