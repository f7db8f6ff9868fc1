package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// The Win32 codes that domain controllers put at the start of the
// diagnostic message of a constraint violation caused by SPN uniqueness.
const (
	// ErrorDSSPNValueNotUniqueInForest is AD's 000021C7
	// (ERROR_DS_SPN_VALUE_NOT_UNIQUE_IN_FOREST).
	ErrorDSSPNValueNotUniqueInForest = 0x000021C7
	// ErrorDSAttributeOrValueExists is 0000202F, the code Samba sends for
	// the same refusal ("... would cause a conflict").
	ErrorDSAttributeOrValueExists = 0x0000202F
)

// ResultError is a server's refusal: an LDAP result code with the
// diagnostic message the server sent. It is the Err of the TransportError
// that a Directory returns for such answers.
type ResultError struct {
	Code uint16
	// Diagnostic is the server's diagnosticMessage.
	Diagnostic string
	// Logon is why Active Directory refused a bind (result 49): the data
	// code of the diagnostic, such as LogonBadCredentials (52e) or
	// LogonAccountLockedOut (775); 0 for any other answer.
	Logon LogonFailure
}

func (e *ResultError) Error() string {
	name := goldap.LDAPResultCodeMap[e.Code]
	if name == "" {
		name = "result " + strconv.Itoa(int(e.Code))
	}
	msg := "ldap result " + strconv.Itoa(int(e.Code)) + " (" + name + ")"
	if e.Diagnostic != "" {
		msg += ": " + e.Diagnostic
	}
	if e.Logon != 0 {
		msg += " (" + e.Logon.String() + ")"
	}
	return msg
}

// Win32Code returns the Win32 error code at the start of the diagnostic
// message ("0000202F: ..."), as AD and Samba write it.
func (e *ResultError) Win32Code() (uint32, bool) { return win32Code(e.Diagnostic) }

// win32Code parses the eight hexadecimal digits and colon that start an
// Active Directory diagnostic message.
func win32Code(diag string) (uint32, bool) {
	if len(diag) < 9 || diag[8] != ':' {
		return 0, false
	}
	v, err := strconv.ParseUint(diag[:8], 16, 32)
	if err != nil {
		return 0, false
	}
	return uint32(v), true
}

// diagnosticOf reads the diagnosticMessage of an LDAP result out of the
// packet go-ldap kept, which is the text the server sent.
func diagnosticOf(e *goldap.Error) string {
	if e.Packet == nil || len(e.Packet.Children) < 2 {
		return ""
	}
	op := e.Packet.Children[1]
	if len(op.Children) < 3 {
		return ""
	}
	if s, ok := op.Children[2].Value.(string); ok {
		return s
	}
	if d := op.Children[2].Data; d != nil && op.Children[2].Tag == ber.TagOctetString {
		return d.String()
	}
	return ""
}

// classify wraps err, the failure of operation op against server host, in
// a TransportError. opCtx is the operation's context: when it has ended, the
// failure is its deadline or cancellation whatever the library reported.
func classify(opCtx context.Context, host, op string, err error) *actions.TransportError {
	var te *actions.TransportError
	if errors.As(err, &te) {
		return te
	}
	wrap := func(kind actions.Kind, class actions.Class, cause error) *actions.TransportError {
		return &actions.TransportError{Kind: kind, Class: class, Host: host, Op: op, Err: cause}
	}
	if isBoundsError(err) {
		// The client refused the answer; a deadline that passed meanwhile
		// is not the cause.
		return wrap(actions.KindProtocol, actions.Permanent, err)
	}
	if opCtx != nil {
		switch ctxErr := opCtx.Err(); {
		case errors.Is(ctxErr, context.Canceled):
			return wrap(actions.KindCanceled, actions.Permanent, context.Canceled)
		case errors.Is(ctxErr, context.DeadlineExceeded):
			return wrap(actions.KindTimeout, actions.Retryable, context.DeadlineExceeded)
		}
	}
	var ldapErr *goldap.Error
	if errors.As(err, &ldapErr) && ldapErr.ResultCode < goldap.ErrorNetwork {
		res := &ResultError{Code: ldapErr.ResultCode, Diagnostic: diagnosticOf(ldapErr)}
		if res.Code == goldap.LDAPResultInvalidCredentials {
			res.Logon = logonFailure(res.Diagnostic)
		}
		kind, class := resultKind(res)
		return wrap(kind, class, res)
	}
	if kind, class, ok := transportKind(err); ok {
		return wrap(kind, class, err)
	}
	if errors.As(err, &ldapErr) {
		switch ldapErr.ResultCode {
		case goldap.ErrorNetwork:
			return wrap(actions.KindConnect, actions.Retryable, err)
		case goldap.ErrorFilterCompile, goldap.ErrorEmptyPassword:
			return wrap(actions.KindProtocol, actions.Permanent, err)
		}
	}
	return wrap(actions.KindProtocol, actions.Permanent, err)
}

// resultKind maps an LDAP result code to a kind and class.
func resultKind(res *ResultError) (actions.Kind, actions.Class) {
	switch res.Code {
	case goldap.LDAPResultAttributeOrValueExists, goldap.LDAPResultEntryAlreadyExists:
		return actions.KindExists, actions.Permanent
	case goldap.LDAPResultConstraintViolation:
		if code, ok := res.Win32Code(); ok && (code == ErrorDSSPNValueNotUniqueInForest || code == ErrorDSAttributeOrValueExists) {
			return actions.KindSPNConflict, actions.Permanent
		}
		return actions.KindConstraint, actions.Permanent
	case goldap.LDAPResultInsufficientAccessRights:
		return actions.KindAccess, actions.Permanent
	case goldap.LDAPResultBusy, goldap.LDAPResultUnavailable, goldap.LDAPResultUnwillingToPerform:
		return actions.KindServer, actions.Retryable
	case goldap.LDAPResultNoSuchObject:
		return actions.KindNotFound, actions.Permanent
	case goldap.LDAPResultInvalidCredentials, goldap.LDAPResultInappropriateAuthentication,
		goldap.LDAPResultStrongAuthRequired, goldap.LDAPResultConfidentialityRequired,
		goldap.LDAPResultAuthMethodNotSupported:
		return actions.KindAuth, actions.Permanent
	case goldap.LDAPResultTimeLimitExceeded, goldap.LDAPResultTimeout:
		return actions.KindTimeout, actions.Retryable
	case goldap.LDAPResultNoSuchAttribute:
		return actions.KindNotFound, actions.Permanent
	case goldap.LDAPResultProtocolError:
		return actions.KindProtocol, actions.Permanent
	}
	return actions.KindServer, actions.Permanent
}

// transportKind recognises TLS, timeout and connection failures by type.
func transportKind(err error) (actions.Kind, actions.Class, bool) {
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		alertErr    tls.AlertError
		recordErr   tls.RecordHeaderError
		echErr      *tls.ECHRejectionError
		netErr      net.Error
		opErr       *net.OpError
		dnsErr      *net.DNSError
		handshakeEr *handshakeError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownCA), errors.As(err, &hostErr),
		errors.As(err, &invalidErr), errors.As(err, &alertErr), errors.As(err, &recordErr),
		errors.As(err, &echErr):
		return actions.KindTLS, actions.Permanent, true
	case errors.As(err, &netErr) && netErr.Timeout():
		return actions.KindTimeout, actions.Retryable, true
	case errors.As(err, &handshakeEr):
		return actions.KindTLS, actions.Permanent, true
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return actions.KindConnect, actions.Retryable, true
	}
	return "", 0, false
}

// handshakeError marks a failed TLS handshake whose cause is not one of
// the crypto/tls or x509 types (the peer closed the connection mid-way).
type handshakeError struct{ err error }

func (e *handshakeError) Error() string { return "tls handshake: " + e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }
