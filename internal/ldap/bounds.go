package ldap

import (
	"errors"
	"fmt"
)

// The default bounds on what one server may make the client hold. The
// bounds of one answer are well above what Active Directory and Samba send
// rectify (a page of 1000 computer accounts with their SPNs is some 600 KB,
// a rootDSE a few KB); the LDAP library's decoding holds about fifteen
// times an answer's size, so they keep what a broken or hostile answer
// costs to tens of MB at most. The bounds of a whole search are sized for
// the largest result rectify reads, the forest-wide SPN scan of
// ad.spn_duplicates: some 150,000 accounts.
const (
	// DefaultMaxMessageBytes bounds one LDAP message: one entry, one result.
	DefaultMaxMessageBytes = 512 << 10
	// DefaultMaxResponseBytes bounds everything the server sends in
	// answer to one request: a bind, a modify, one page of a search.
	DefaultMaxResponseBytes = 2 << 20
	// DefaultMaxResultBytes bounds the entries Search returns at once,
	// over all pages.
	DefaultMaxResultBytes = 64 << 20
	// DefaultMaxEntries bounds the entries of one search over all pages,
	// for Search and SearchPages alike.
	DefaultMaxEntries = 250_000
	// responseSlack is how many messages an answer may hold besides the
	// entries asked for: the result, referrals, notices.
	responseSlack = 64
	// maxNesting bounds how deeply the elements of one message nest; LDAP
	// messages nest about ten levels.
	maxNesting = 64
)

// LimitError says that a server's answer went past one of the client's
// bounds. The connection it came on is closed: the rest of the answer is
// never read.
type LimitError struct {
	// Limit names the bound: the Config field that sets it, or PageSize
	// for an answer with more entries than the page asked for.
	Limit string
	// What says what was counted ("bytes in one LDAP message").
	What string
	// Max is the bound; Got what the server sent or announced.
	Max, Got int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the server sent %d %s, over the limit of %d (%s)", e.Got, e.What, e.Max, e.Limit)
}

// MalformedError says that a server sent bytes that are not LDAP messages
// (BER, RFC 4511 section 5.1). The connection is closed.
type MalformedError struct {
	Reason string
}

func (e *MalformedError) Error() string { return "malformed answer: " + e.Reason }

// PanicError is a panic of the LDAP client library, or of this package,
// while it handled one operation: the operation fails with it instead of
// taking the process down, and the connection is closed.
type PanicError struct {
	Value string
}

func (e *PanicError) Error() string {
	return "the LDAP client failed on the server's answer: " + e.Value
}

func (c Config) maxMessageBytes() int64 {
	if c.MaxMessageBytes > 0 {
		return c.MaxMessageBytes
	}
	return DefaultMaxMessageBytes
}

func (c Config) maxResponseBytes() int64 {
	if c.MaxResponseBytes > 0 {
		return c.MaxResponseBytes
	}
	return DefaultMaxResponseBytes
}

func (c Config) maxResultBytes() int64 {
	if c.MaxResultBytes > 0 {
		return c.MaxResultBytes
	}
	return DefaultMaxResultBytes
}

func (c Config) maxEntries() int {
	if c.MaxEntries > 0 {
		return c.MaxEntries
	}
	return DefaultMaxEntries
}

// isBoundsError reports whether err is the client refusing a server's
// answer (a bound, malformed bytes, a contained panic): a permanent
// protocol failure, never a reason to retry.
func isBoundsError(err error) bool {
	var (
		le *LimitError
		me *MalformedError
		pe *PanicError
	)
	return errors.As(err, &le) || errors.As(err, &me) || errors.As(err, &pe)
}

// contain runs fn and turns a panic into a PanicError, so that no answer
// of one server can take the process down.
func contain(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: fmt.Sprint(r)}
		}
	}()
	return fn()
}
