package winrm

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
)

// The limits that keep one host from costing rectify more than a few
// megabytes, whatever it sends. Each is a Config field; these are the
// defaults New applies.
const (
	// DefaultMaxHeaderBytes bounds the status line and headers of one HTTP
	// answer. A WinRM answer's headers are a few hundred bytes; an NTLM
	// challenge or a Kerberos reply adds a few kilobytes.
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultMaxOutputBytes bounds what one command may print, standard
	// output and standard error together. ops.ScriptRun.MaxOutput
	// overrides it for one run.
	DefaultMaxOutputBytes = 4 << 20
	// answerEnvelopes is how many times MaxEnvelopeSize an answer's body may
	// be: the server is asked to keep every answer within MaxEnvelopeSize,
	// and the framing of an encrypted answer adds a few hundred bytes.
	answerEnvelopes = 4
)

// limitError is an answer or an output that went past one of the limits.
// It is a protocol failure: sending the request again would not change what
// the host sends.
type limitError struct {
	// what is the thing bounded ("answer headers", "command output").
	what string
	// setting names the Config field or op field that sets the limit.
	setting string
	limit   int64
}

func (e *limitError) Error() string {
	return fmt.Sprintf("%s passed the limit of %d bytes (%s)", e.what, e.limit, e.setting)
}

// panicError is a panic raised while handling one host's answers,
// contained to that host's operation.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("internal error while handling the host's answer: %v", e.value)
}

// contain, deferred first thing in a goroutine that handles a host's
// bytes, turns a panic in that goroutine into *err, so that no answer of
// one host can end the whole run.
func contain(err *error) {
	if v := recover(); v != nil {
		*err = &panicError{value: v, stack: debug.Stack()}
	}
}

// budgetConn is a connection whose reads stop with a limitError once more
// than the budget set for the current phase of an exchange has been read:
// the headers of an answer are read under MaxHeaderBytes, whatever the
// bufio.Reader above asks for.
type budgetConn struct {
	net.Conn
	left  int64
	limit *limitError // nil: unbounded
}

// bound limits the next reads to n bytes, reported as err when passed.
func (c *budgetConn) bound(n int64, err *limitError) {
	c.left, c.limit = n, err
}

// unbound lifts the limit.
func (c *budgetConn) unbound() { c.limit = nil }

func (c *budgetConn) Read(p []byte) (int, error) {
	if c.limit == nil {
		return c.Conn.Read(p)
	}
	if c.left <= 0 {
		return 0, c.limit
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= int64(n)
	return n, err
}

// readBounded reads r to its end, failing with err once it holds more
// than err.limit bytes; it never holds more than the limit plus one read.
func readBounded(r io.Reader, err *limitError) ([]byte, error) {
	b, rerr := io.ReadAll(io.LimitReader(r, err.limit+1))
	if rerr != nil {
		return nil, rerr
	}
	if int64(len(b)) > err.limit {
		return nil, err
	}
	return b, nil
}

// isLimit reports whether err is a limit that was passed.
func isLimit(err error) bool {
	var le *limitError
	return errors.As(err, &le)
}
