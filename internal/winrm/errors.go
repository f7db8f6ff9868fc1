package winrm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/rectifyhq/rectify/actions"
)

// classify derives a failure's kind and class from the types of the errors
// in its chain. It never looks at message text.
func classify(err error) (actions.Kind, actions.Class) {
	var (
		te          *actions.TransportError
		status      *statusError
		fault       *soapFault
		proto       *protocolError
		script      *scriptError
		encRequired *encryptionRequiredError
		refused     *ticketError
		noKDC       *kdcError
		unknownCA   x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		record      tls.RecordHeaderError
		alert       tls.AlertError
		dnsErr      *net.DNSError
		opErr       *net.OpError
		netErr      net.Error
	)
	switch {
	case errors.As(err, &te):
		return te.Kind, te.Class
	case errors.Is(err, context.Canceled):
		return actions.KindCanceled, actions.Permanent
	case errors.Is(err, context.DeadlineExceeded):
		// The caller's time is spent: sending again cannot finish within it.
		return actions.KindTimeout, actions.Permanent
	case errors.As(err, &script):
		return actions.KindScript, actions.Permanent
	case errors.As(err, &encRequired):
		return actions.KindProtocol, actions.Permanent
	case errors.As(err, &refused):
		return actions.KindAuth, actions.Permanent
	case errors.As(err, &noKDC):
		return actions.KindConnect, actions.Retryable
	case errors.As(err, &status):
		return classifyStatus(status)
	case errors.As(err, &fault):
		return classifyFault(fault)
	case errors.As(err, &proto):
		return actions.KindProtocol, actions.Permanent
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert):
		return actions.KindTLS, actions.Permanent
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return actions.KindConnect, actions.Permanent
		}
		return actions.KindConnect, actions.Retryable
	case errors.As(err, &netErr) && netErr.Timeout():
		return actions.KindTimeout, actions.Retryable
	case errors.As(err, &opErr):
		// Refused, unreachable, reset or broken while talking.
		return actions.KindConnect, actions.Retryable
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNREFUSED):
		return actions.KindConnect, actions.Retryable
	}
	return actions.KindProtocol, actions.Permanent
}

// classifyStatus maps an HTTP answer other than 200.
func classifyStatus(e *statusError) (actions.Kind, actions.Class) {
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		return actions.KindAuth, actions.Permanent
	case e.StatusCode == http.StatusForbidden:
		return actions.KindAccess, actions.Permanent
	case e.Fault != nil:
		return classifyFault(e.Fault)
	case e.StatusCode >= 500:
		return actions.KindServer, actions.Retryable
	}
	return actions.KindProtocol, actions.Permanent
}

// classifyFault maps a SOAP fault by its codes.
func classifyFault(f *soapFault) (actions.Kind, actions.Class) {
	switch {
	case f.timedOut():
		return actions.KindTimeout, actions.Retryable
	case f.Subcode == subcodeAccessDenied:
		return actions.KindAccess, actions.Permanent
	case f.shellGone(), f.Subcode == subcodeQuotaLimit, f.Subcode == subcodeConcurrency:
		return actions.KindServer, actions.Retryable
	case f.Code == "Sender":
		// The request itself was refused: sending it again changes nothing.
		return actions.KindProtocol, actions.Permanent
	}
	return actions.KindServer, actions.Retryable
}

// transportError wraps err as the TransportError of host and op. An error
// that already is one keeps its kind and class and gains host and op if it
// lacked them.
func transportError(host, op string, err error) *actions.TransportError {
	var te *actions.TransportError
	if errors.As(err, &te) {
		c := *te
		if c.Host == "" {
			c.Host = host
		}
		if c.Op == "" {
			c.Op = op
		}
		return &c
	}
	kind, class := classify(err)
	return &actions.TransportError{Kind: kind, Class: class, Host: host, Op: op, Err: err}
}
