package winrm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/actions"
)

// rawResult is what one command printed and its exit code.
type rawResult struct {
	stdout, stderr []byte
	exitCode       int
}

// execute runs one command line in the host's shell, feeding it stdin (nil
// sends an immediate end of input), within Config.Timeout and ctx. When ctx
// ends first, the requests in flight are aborted and the command is
// terminated with a Signal before execute returns.
func (s *Shell) execute(ctx context.Context, op, commandLine string, stdin []byte, mutates bool) (rawResult, error) {
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return rawResult{}, transportError(s.cfg.Host, op, ctx.Err())
	}
	defer func() { <-s.turn }()
	s.busy(1)
	defer s.busy(-1)

	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	t := newCallTransport(ctx, s.pool, s.cfg.Host, op, s.log)
	start := time.Now()
	res, err := s.executeOn(ctx, t, commandLine, stdin)
	ev := s.log.Debug().Str("host", s.cfg.Host).Str("op", op).Dur("duration", time.Since(start)).
		Int64("posts", t.posts.Load()).Int64("exchanges", t.exchanges.Load())
	if err != nil {
		te := transportError(s.cfg.Host, op, err)
		te.MayHaveRun = mutates && t.commandSent.Load()
		ev.Str("kind", string(te.Kind)).Bool("may_have_run", te.MayHaveRun).Msg("winrm command failed")
		return res, te
	}
	ev.Int("exit_code", res.exitCode).Msg("winrm command")
	return res, nil
}

func (s *Shell) executeOn(ctx context.Context, t *callTransport, commandLine string, stdin []byte) (rawResult, error) {
	c, err := s.client(t)
	if err != nil {
		return rawResult{}, err
	}
	id, err := s.ensureShell(t)
	if err != nil {
		return rawResult{}, err
	}
	cmd, err := c.NewShell(id).Execute(commandLine)
	if err != nil && shellGone(err) {
		// The server lost the shell (restart, idle timeout): a new one,
		// and the command once more, since it never started.
		s.forgetShell(id)
		if id, err = s.ensureShell(t); err != nil {
			return rawResult{}, err
		}
		cmd, err = c.NewShell(id).Execute(commandLine)
	}
	if err != nil {
		return rawResult{}, err
	}

	var (
		stdout, stderr     bytes.Buffer
		readOut, readErr   error
		writeErr           error
		wg                 sync.WaitGroup
		chunk              = s.stdinChunk()
		finished           = make(chan struct{})
		cleanupCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	)
	defer cancel()
	wg.Add(3)
	go func() {
		defer wg.Done()
		_, readOut = io.Copy(&stdout, cmd.Stdout)
	}()
	go func() {
		defer wg.Done()
		_, readErr = io.Copy(&stderr, cmd.Stderr)
	}()
	go func() {
		defer wg.Done()
		writeErr = sendInput(c, t, id, stdin, chunk)
	}()
	go func() {
		wg.Wait()
		cmd.Wait()
		close(finished)
	}()
	// When ctx ends, every request in flight fails at once (its
	// connection's deadline passes), so the goroutines finish promptly.
	<-finished

	// Terminate the command (this also releases it on the server after a
	// normal end), under a context of its own if ctx has ended.
	if ctx.Err() != nil {
		t.use(cleanupCtx)
	}
	if err := cmd.Close(); err != nil && ctx.Err() == nil {
		s.log.Debug().Str("host", s.cfg.Host).Str("op", t.op).AnErr("error", err).Msg("winrm signal failed")
	}

	res := rawResult{stdout: stdout.Bytes(), stderr: stderr.Bytes(), exitCode: cmd.ExitCode()}
	switch {
	case ctx.Err() != nil:
		return res, ctx.Err()
	case readOut != nil:
		return res, readOut
	case readErr != nil:
		return res, readErr
	}
	if writeErr != nil {
		// The command ended before it read all of its input; its output
		// and exit code say what happened.
		s.log.Debug().Str("host", s.cfg.Host).Str("op", t.op).AnErr("error", writeErr).Msg("winrm input not fully sent")
	}
	return res, nil
}

// sendInput sends the command's standard input in Send messages of at
// most chunk bytes, the last one marked End. masterzen's own writer sends
// the end of input in a message of its own; this saves that round trip.
func sendInput(c *winrm.Client, t *callTransport, shellID string, stdin []byte, chunk int) error {
	commandID := t.commandID()
	if commandID == "" {
		return &protocolError{msg: "the Command answer names no CommandId"}
	}
	for {
		n := min(chunk, len(stdin))
		last := n == len(stdin)
		msg := winrm.NewSendInputRequest(t.pool.url, shellID, commandID, stdin[:n], last, &c.Parameters)
		if _, err := t.Post(c, msg); err != nil {
			return err
		}
		if last {
			return nil
		}
		stdin = stdin[n:]
	}
}

// stdinChunk is the most input one Send message carries: the envelope
// minus room for the headers, and base64 grows data by a third.
func (s *Shell) stdinChunk() int {
	return (s.cfg.MaxEnvelopeSize - 4096) / 4 * 3
}

// shellGone reports a fault saying the shell does not exist on the server.
func shellGone(err error) bool {
	var f *soapFault
	return errors.As(err, &f) && f.shellGone()
}

// retry runs fn until it succeeds, fails with an error that retrying
// cannot help, or Config.MaxAttempts is spent. A mutating run is never
// retried once its command may have reached the host.
func (s *Shell) retry(ctx context.Context, op string, mutates bool, fn func(context.Context) error) error {
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var te *actions.TransportError
		if !errors.As(err, &te) || te.Class != actions.Retryable || (mutates && te.MayHaveRun) ||
			attempt >= s.cfg.MaxAttempts || ctx.Err() != nil {
			return err
		}
		s.log.Debug().Str("host", s.cfg.Host).Str("op", op).Int("attempt", attempt).
			Str("kind", string(te.Kind)).Dur("backoff", backoff).Msg("winrm retry")
		// Jitter keeps hosts that failed together from retrying together.
		timer := time.NewTimer(backoff/2 + rand.N(backoff))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return err
		}
		backoff *= 2
	}
}
