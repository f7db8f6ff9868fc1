package winrm

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/masterzen/winrm"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// closeTimeout bounds the requests that clean up: the terminate signal
// after a cancelled command and the deletion of the shell on Close.
const closeTimeout = 5 * time.Second

// Shell runs script ops and native commands on one Windows host. It keeps
// one remote shell for all its commands and runs them one at a time. It is
// safe for concurrent use.
type Shell struct {
	cfg  Config
	pool *connPool
	log  *zerolog.Logger
	nop  zerolog.Logger
	// params shape every message: OperationTimeout, locale, envelope size.
	params *winrm.Parameters

	// turn admits one command at a time.
	turn chan struct{}

	mu      sync.Mutex
	shellID string
	// ended is the command of shellID that ended last and was not
	// released with a terminate signal yet.
	ended   string
	closed  bool
	inUse   int
	creates int
}

var _ ops.Shell = (*Shell)(nil)

// Stats counts what a Shell sent since it was made.
type Stats struct {
	// Dials is the number of connections opened.
	Dials int64
	// Handshakes is the number of NTLM handshakes made.
	Handshakes int64
	// Exchanges is the number of HTTP request/answer exchanges, including
	// the authentication legs.
	Exchanges int64
	// Posts is the number of SOAP messages sent.
	Posts int64
	// Shells is the number of remote shells created.
	Shells int
}

// New checks cfg and returns a Shell for its host without connecting. A
// configuration it cannot use is a permanent TransportError.
func New(cfg Config) (*Shell, error) {
	cfg, err := cfg.withDefaults()
	if err == nil {
		var pool *connPool
		if pool, err = newConnPool(cfg); err == nil {
			return newShellWith(cfg, pool), nil
		}
	}
	return nil, &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: cfg.Host, Op: "connect",
		Err: fmt.Errorf("winrm settings: %w", err)}
}

func newShellWith(cfg Config, pool *connPool) *Shell {
	s := &Shell{cfg: cfg, pool: pool, log: cfg.Logger, nop: zerolog.Nop(), turn: make(chan struct{}, 1),
		params: winrm.NewParameters(cfg.operationTimeout(), "en-US", cfg.MaxEnvelopeSize)}
	if s.log == nil {
		s.log = &s.nop
	}
	switch {
	case cfg.HTTPS && cfg.InsecureSkipVerify:
		s.log.Warn().Str("host", cfg.Host).Msg("winrm: TLS certificate verification is off for this host (insecure_skip_verify)")
	case !cfg.HTTPS && !cfg.sealed():
		s.log.Warn().Str("host", cfg.Host).Str("auth", cfg.Auth).Msg("winrm: plain HTTP without message encryption: commands and output travel unencrypted (and Basic credentials readable)")
	}
	return s
}

// Dial is New followed by the creation of the remote shell, so that
// connect, TLS and authentication failures show at once.
func Dial(ctx context.Context, cfg Config) (*Shell, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Open(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Open creates the remote shell if there is none yet.
func (s *Shell) Open(ctx context.Context) (err error) {
	defer s.contained("open", &err, nil)
	return s.retry(ctx, "open", false, func(outer context.Context) error {
		ctx, cancel := context.WithTimeout(outer, s.cfg.Timeout)
		defer cancel()
		if _, err := s.ensureShell(ctx, newCall(s.pool, s.cfg.Host, "open", s.log)); err != nil {
			return s.timeoutSays(outer, ctx, "open", err)
		}
		return nil
	})
}

// contained is contain for an entry point of op: a panic becomes a
// permanent protocol TransportError of the host, logged with its stack at
// debug level. mayHaveRun, if not nil, says whether a command may have
// started on the host, so that the failure is never retried.
func (s *Shell) contained(op string, err *error, mayHaveRun func() bool) {
	v := recover() // called here: recover works only in the deferred function itself
	if v == nil {
		return
	}
	p := &panicError{value: v, stack: debug.Stack()}
	s.log.Debug().Str("host", s.cfg.Host).Str("op", op).Bytes("stack", p.stack).Msg("winrm: panic contained")
	te := &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: s.cfg.Host, Op: op, Err: p}
	te.MayHaveRun = mayHaveRun != nil && mayHaveRun()
	*err = te
}

// Stats reports the Shell's counters.
func (s *Shell) Stats() Stats {
	s.mu.Lock()
	shells := s.creates
	s.mu.Unlock()
	return Stats{
		Dials:      s.pool.dials.Load(),
		Handshakes: s.pool.handshakes.Load(),
		Exchanges:  s.pool.exchanges.Load(),
		Posts:      s.pool.posts.Load(),
		Shells:     shells,
	}
}

// ensureShell returns the remote shell's id, creating the shell if needed.
func (s *Shell) ensureShell(ctx context.Context, c *call) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", &actions.TransportError{Kind: actions.KindCanceled, Class: actions.Permanent, Host: s.cfg.Host, Op: c.op, Err: errors.New("shell is closed")}
	}
	if s.shellID != "" {
		return s.shellID, nil
	}
	answer, err := c.post(ctx, "Create", winrm.NewOpenShellRequest(s.pool.url, s.params))
	if err != nil {
		return "", err
	}
	id, err := parseCreated(answer)
	if err != nil {
		return "", transportError(s.cfg.Host, c.op, err)
	}
	s.shellID = id
	s.creates++
	return id, nil
}

// forgetShell drops the shell id the server no longer knows.
func (s *Shell) forgetShell(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shellID == id {
		s.shellID, s.ended = "", ""
	}
}

// Close deletes the remote shell and closes every connection. Later calls
// fail with KindCanceled.
func (s *Shell) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	id := s.shellID
	s.shellID, s.ended = "", ""
	s.mu.Unlock()
	var err error
	if id != "" {
		err = s.deleteShell(id)
	}
	s.pool.shutdown()
	return err
}

// release deletes the remote shell and closes the connections but keeps
// the Shell usable: the next command creates a new shell.
func (s *Shell) release() error {
	s.mu.Lock()
	id := s.shellID
	s.shellID, s.ended = "", ""
	s.mu.Unlock()
	var err error
	if id != "" {
		err = s.deleteShell(id)
	}
	s.pool.closeIdle()
	return err
}

func (s *Shell) deleteShell(id string) (err error) {
	defer s.contained("close", &err, nil)
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	c := newCall(s.pool, s.cfg.Host, "close", s.log)
	_, err = c.post(ctx, "Delete", winrm.NewDeleteShellRequest(s.pool.url, id, s.params))
	return err
}

// busy marks the Shell as running a command, for the Pool.
func (s *Shell) busy(delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inUse += delta
}

func (s *Shell) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inUse == 0
}
