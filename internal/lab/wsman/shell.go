package wsman

import (
	"context"
	"strings"
	"time"
)

// shell is one Windows Remote Shell on a host. Its fields are guarded by the
// host's mutex.
type shell struct {
	id       string
	logon    Logon // the logon that created the shell; its commands run in it
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

// desired names the output streams a Receive asks for.
type desired struct{ stdout, stderr bool }

// parseDesired reads rsp:DesiredStream ("stdout stderr"); none named means
// both.
func parseDesired(streams string) desired {
	var d desired
	for _, name := range strings.Fields(streams) {
		switch name {
		case "stdout":
			d.stdout = true
		case "stderr":
			d.stderr = true
		}
	}
	if !d.stdout && !d.stderr {
		return desired{true, true}
	}
	return d
}

// receive waits until the command has output on the desired streams or has
// finished, and takes up to budget bytes of that output. It gives up with
// the w:TimedOut fault after timeout, and with ctx. When stalled is set,
// completion is hidden: only output is delivered. The command is done for
// the client once the output of the desired streams has been taken.
func (c *command) receive(ctx context.Context, timeout time.Duration, budget int, want desired, stalled func() bool) (receiveResult, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		// stalled takes the host's lock: ask before taking the command's,
		// which is always taken after the host's.
		hide := stalled()
		c.mu.Lock()
		pendingOut := want.stdout && len(c.stdout) > 0
		pendingErr := want.stderr && len(c.stderr) > 0
		if pendingOut || pendingErr || (c.done && !hide) {
			var r receiveResult
			if want.stdout {
				r.stdout, c.stdout = take(c.stdout, budget)
			}
			if want.stderr {
				r.stderr, c.stderr = take(c.stderr, budget-len(r.stdout))
			}
			r.done = c.done && !hide && (!want.stdout || len(c.stdout) == 0) && (!want.stderr || len(c.stderr) == 0)
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
