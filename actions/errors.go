package actions

import (
	"errors"
	"fmt"

	"github.com/rectifyhq/rectify/ops"
)

// Class says what a caller may do about a transport error.
type Class int

// The error classes. Retryable errors may succeed if the same request is
// sent again (a reset connection, a busy server, a timeout before anything
// ran); permanent ones will not (bad credentials, a refused certificate, a
// script error, a constraint violation).
const (
	Permanent Class = iota
	Retryable
)

func (c Class) String() string {
	if c == Retryable {
		return "retryable"
	}
	return "permanent"
}

// Kind names what went wrong, independent of the transport.
type Kind string

// The kinds of transport failure.
const (
	KindConnect     Kind = "connect"      // no TCP connection
	KindTLS         Kind = "tls"          // handshake or certificate refused
	KindAuth        Kind = "auth"         // credentials refused
	KindTimeout     Kind = "timeout"      // deadline passed
	KindCanceled    Kind = "canceled"     // the caller gave up
	KindProtocol    Kind = "protocol"     // the server answered something unexpected
	KindServer      Kind = "server"       // the server reported a fault (SOAP fault, HTTP 5xx, LDAP busy)
	KindScript      Kind = "script"       // the script ran and failed
	KindExists      Kind = "exists"       // LDAP 20: attribute or value exists
	KindConstraint  Kind = "constraint"   // LDAP 19: constraint violation
	KindSPNConflict Kind = "spn-conflict" // LDAP 19 because another account holds the SPN
	KindAccess      Kind = "access"       // insufficient rights
	KindNotFound    Kind = "not-found"    // no such object
)

// TransportError is the error every transport returns: what failed, where,
// of which kind, and whether trying again may help. Its message never holds
// a credential or a sensitive argument.
type TransportError struct {
	Kind  Kind
	Class Class
	// Host is the inventory host or directory server concerned.
	Host string
	// Op is the script op or LDAP operation ("search", "modify").
	Op string
	// MayHaveRun is set when a mutating command may have started on the
	// host before the failure: such a command is never retried.
	MayHaveRun bool
	Err        error
}

func (e *TransportError) Error() string {
	msg := string(e.Kind)
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Host != "" {
		msg = e.Host + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *TransportError) Unwrap() error { return e.Err }

// Errorf builds a TransportError.
func Errorf(kind Kind, class Class, host, op, format string, args ...any) *TransportError {
	return &TransportError{Kind: kind, Class: class, Host: host, Op: op, Err: fmt.Errorf(format, args...)}
}

// IsRetryable reports whether err is a transport error that may succeed if
// sent again and cannot have changed the host.
func IsRetryable(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && te.Class == Retryable && !te.MayHaveRun
}

// KindOf returns the kind of a transport error, or "" for other errors. A
// script's answer that is not its op's result document (ops.AnswerError)
// is KindProtocol.
func KindOf(err error) Kind {
	var te *TransportError
	if errors.As(err, &te) {
		return te.Kind
	}
	var ae *ops.AnswerError
	if errors.As(err, &ae) {
		return KindProtocol
	}
	return ""
}
