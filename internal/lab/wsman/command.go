package wsman

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// command is one running (or finished) command in a shell: its standard
// input as sent so far, the output not yet received, and its outcome. Every
// change closes and replaces changed, waking whoever waits on it.
type command struct {
	id     string
	cancel context.CancelFunc

	mu       sync.Mutex
	changed  chan struct{}
	stdin    []byte
	stdinEOF bool
	stopped  bool
	stdout   []byte
	stderr   []byte
	done     bool
	exitCode int
}

func newRunningCommand(id string, cancel context.CancelFunc) *command {
	return &command{id: id, cancel: cancel, changed: make(chan struct{})}
}

// notifyLocked wakes the waiters; c.mu must be held.
func (c *command) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// start runs the command through runner in a new goroutine.
func (c *command) start(ctx context.Context, runner Runner, host string, cmd Command) {
	go func() {
		code := c.run(ctx, runner, host, cmd)
		c.mu.Lock()
		c.done = true
		c.exitCode = code
		c.notifyLocked()
		c.mu.Unlock()
		c.cancel()
	}()
}

// run calls the runner; a panic in it becomes exit code 1 and a message on
// standard error, as a crashed process would leave.
func (c *command) run(ctx context.Context, runner Runner, host string, cmd Command) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(outputWriter{c, true}, "lab runner failed: %v\r\n", r)
			code = 1
		}
	}()
	return runner.Run(ctx, host, cmd, stdinReader{c, ctx.Done()}, outputWriter{c, false}, outputWriter{c, true})
}

// send appends standard input; eof ends it.
func (c *command) send(data []byte, eof bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stdinEOF {
		return
	}
	c.stdin = append(c.stdin, data...)
	c.stdinEOF = eof
	c.notifyLocked()
}

// terminate cancels the command; its reader sees the cancellation.
func (c *command) terminate() {
	c.cancel()
	c.mu.Lock()
	c.stopped = true
	c.notifyLocked()
	c.mu.Unlock()
}

// stdinReader hands the runner the data sent so far, waiting for more until
// the client ends its input or the command is canceled.
type stdinReader struct {
	c        *command
	canceled <-chan struct{}
}

func (r stdinReader) Read(p []byte) (int, error) {
	c := r.c
	for {
		c.mu.Lock()
		if len(c.stdin) > 0 {
			n := copy(p, c.stdin)
			c.stdin = c.stdin[n:]
			c.mu.Unlock()
			return n, nil
		}
		if c.stdinEOF {
			c.mu.Unlock()
			return 0, io.EOF
		}
		if c.stopped {
			c.mu.Unlock()
			return 0, context.Canceled
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-r.canceled:
			return 0, context.Canceled
		}
	}
}

// outputWriter appends to the command's standard output or error.
type outputWriter struct {
	c      *command
	stderr bool
}

func (w outputWriter) Write(p []byte) (int, error) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return 0, io.ErrClosedPipe
	}
	if w.stderr {
		c.stderr = append(c.stderr, p...)
	} else {
		c.stdout = append(c.stdout, p...)
	}
	c.notifyLocked()
	return len(p), nil
}
