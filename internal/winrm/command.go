package winrm

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
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
// sends an immediate end of input), within Config.Timeout and ctx, and
// keeps at most maxOutput bytes of its output. When ctx ends first, the
// requests in flight are aborted and the command is terminated with a
// Signal before execute returns.
func (s *Shell) execute(ctx context.Context, op, commandLine string, stdin []byte, mutates bool, maxOutput int64) (res rawResult, err error) {
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return rawResult{}, transportError(s.cfg.Host, op, ctx.Err())
	}
	defer func() { <-s.turn }()
	s.busy(1)
	defer s.busy(-1)

	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	c := newCall(s.pool, s.cfg.Host, op, s.log)
	defer s.contained(op, &err, func() bool { return mutates && c.commandSent.Load() })
	start := time.Now()
	res, err = s.executeOn(ctx, c, commandLine, stdin, maxOutput)
	ev := s.log.Debug().Str("host", s.cfg.Host).Str("op", op).Dur("duration", time.Since(start)).
		Int64("posts", c.posts.Load()).Int64("exchanges", c.exchanges.Load())
	if err != nil {
		te := s.timeoutSays(outer, ctx, op, err)
		te.MayHaveRun = mutates && c.commandSent.Load()
		ev.Str("kind", string(te.Kind)).Bool("may_have_run", te.MayHaveRun).Msg("winrm command failed")
		return res, te
	}
	ev.Int("exit_code", res.exitCode).Msg("winrm command")
	return res, nil
}

func (s *Shell) executeOn(ctx context.Context, c *call, commandLine string, stdin []byte, maxOutput int64) (rawResult, error) {
	id, err := s.ensureShell(ctx, c)
	if err != nil {
		return rawResult{}, err
	}
	s.releaseFinished(ctx, c, id)
	commandID, err := s.startCommand(ctx, c, id, commandLine)
	if err != nil && shellGone(err) {
		// The server lost the shell (restart, idle timeout): a new one,
		// and the command once more, since it never started.
		s.forgetShell(id)
		if id, err = s.ensureShell(ctx, c); err != nil {
			return rawResult{}, err
		}
		commandID, err = s.startCommand(ctx, c, id, commandLine)
	}
	if err != nil {
		return rawResult{}, err
	}

	var (
		res               rawResult
		readErr, writeErr error
	)
	if len(stdin) <= s.stdinChunk() {
		// Input that fits one Send message goes before the first Receive,
		// on the same connection: the host has all of it when output is
		// asked for, and the command costs no second connection (nor, with
		// NTLM or Kerberos, a second handshake).
		writeErr = s.sendInput(ctx, c, id, commandID, stdin)
		var p *panicError
		if !errors.As(writeErr, &p) {
			res, readErr = s.receive(ctx, c, id, commandID, maxOutput)
		}
	} else {
		// Larger input goes while output is read: the command may print
		// before it has read all of its input, and the host then holds a
		// Send until output is taken.
		inputCtx, stopInput := context.WithCancel(ctx)
		defer stopInput()
		inputDone := make(chan error, 1)
		go func() {
			var err error
			defer func() { inputDone <- err }()
			defer contain(&err)
			err = s.sendInput(inputCtx, c, id, commandID, stdin)
		}()
		res, readErr = s.receive(ctx, c, id, commandID, maxOutput)
		if readErr != nil {
			stopInput()
		}
		writeErr = <-inputDone
	}

	if ctx.Err() == nil && readErr == nil {
		// The command reported its exit code: it has ended on the host.
		// Deleting the shell ends its commands, so the terminate signal
		// that releases it waits until another command runs in this
		// shell, and is never sent when the shell is deleted first.
		s.finished(id, commandID)
	} else {
		// Terminate the command, under a context of its own if ctx has
		// ended.
		signalCtx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			signalCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
			defer cancel()
		}
		s.signal(signalCtx, c, id, commandID)
	}

	switch {
	case ctx.Err() != nil:
		return res, ctx.Err()
	case readErr != nil:
		return res, readErr
	}
	var p *panicError
	if errors.As(writeErr, &p) {
		return res, writeErr
	}
	if writeErr != nil {
		// The command ended before it read all of its input; its output
		// and exit code say what happened.
		s.log.Debug().Str("host", s.cfg.Host).Str("op", c.op).AnErr("error", writeErr).Msg("winrm input not fully sent")
	}
	return res, nil
}

// signal sends the terminate signal for a command of shell id. A failure
// is only logged: the command has ended or is abandoned either way.
func (s *Shell) signal(ctx context.Context, c *call, id, commandID string) {
	if _, err := c.post(ctx, "Signal", winrm.NewSignalRequest(s.pool.url, id, commandID, s.params)); err != nil && ctx.Err() == nil {
		s.log.Debug().Str("host", s.cfg.Host).Str("op", c.op).AnErr("error", err).Msg("winrm signal failed")
	}
}

// finished records a command of shell id that has ended on the host but
// was not released yet.
func (s *Shell) finished(id, commandID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shellID == id {
		s.ended = commandID
	}
}

// releaseFinished releases the command that ended last in shell id, if it
// was not released yet, so that a shell never holds more than one ended
// command.
func (s *Shell) releaseFinished(ctx context.Context, c *call, id string) {
	s.mu.Lock()
	commandID := s.ended
	s.ended = ""
	s.mu.Unlock()
	if commandID != "" {
		s.signal(ctx, c, id, commandID)
	}
}

// startCommand sends the Command message and returns the CommandId the
// host gave the command.
func (s *Shell) startCommand(ctx context.Context, c *call, shellID, commandLine string) (string, error) {
	answer, err := c.post(ctx, "Command", winrm.NewExecuteCommandRequest(s.pool.url, shellID, commandLine, nil, s.params))
	if err != nil {
		return "", err
	}
	return parseCommand(answer)
}

// receive polls the command's output until it is done, keeping at most
// maxOutput bytes of standard output and error together. A Receive the
// host answers with w:TimedOut (no output within the OperationTimeout) is
// simply sent again.
func (s *Shell) receive(ctx context.Context, c *call, shellID, commandID string, maxOutput int64) (rawResult, error) {
	// The output is kept as it arrived and joined once at the end: a
	// growing slice would hold several copies of it on the way.
	var (
		stdout, stderr [][]byte
		size           int64
	)
	result := func(exitCode int) rawResult {
		return rawResult{stdout: bytes.Join(stdout, nil), stderr: bytes.Join(stderr, nil), exitCode: exitCode}
	}
	for {
		answer, err := c.post(ctx, "Receive", winrm.NewGetOutputRequest(s.pool.url, shellID, commandID, "stdout stderr", s.params))
		if err != nil {
			var f *soapFault
			if errors.As(err, &f) && f.timedOut() && ctx.Err() == nil {
				continue
			}
			return result(0), err
		}
		got, err := parseReceived(answer, commandID)
		if err != nil {
			return result(0), err
		}
		for _, chunk := range slices.Concat(got.stdout, got.stderr) {
			size += int64(len(chunk))
		}
		if size > maxOutput {
			// What came so far is dropped: it is no result, and copying
			// it would only double what the host costs.
			return rawResult{}, &limitError{what: "the command's output", setting: "max output bytes", limit: maxOutput}
		}
		stdout = append(stdout, got.stdout...)
		stderr = append(stderr, got.stderr...)
		if got.done {
			return result(got.exitCode), nil
		}
	}
}

// sendInput sends the command's standard input in Send messages of at
// most chunk bytes, the last one marked End, so that no message of its
// own is needed for the end of input.
func (s *Shell) sendInput(ctx context.Context, c *call, shellID, commandID string, stdin []byte) error {
	chunk := s.stdinChunk()
	for {
		n := min(chunk, len(stdin))
		last := n == len(stdin)
		if _, err := c.post(ctx, "Send", winrm.NewSendInputRequest(s.pool.url, shellID, commandID, stdin[:n], last, s.params)); err != nil {
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

// timeoutSays is err as a TransportError of op that, when the command's
// own bound (ctx, made from outer with the configured Timeout) ran out
// rather than the caller's, says so: which timeout, and how long it is.
func (s *Shell) timeoutSays(outer, ctx context.Context, op string, err error) *actions.TransportError {
	te := transportError(s.cfg.Host, op, err)
	if outer.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		te.Kind = actions.KindTimeout
		te.Err = fmt.Errorf("no answer within the command timeout of %s (the inventory's winrm timeout): %w", s.cfg.Timeout, cmp.Or(te.Err, ctx.Err()))
	}
	return te
}
