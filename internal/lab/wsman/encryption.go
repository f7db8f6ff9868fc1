package wsman

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/rectifyhq/rectify/internal/sealing"
)

// WinRM message encryption over HTTP (MS-WSMV 2.2.9.1.1): a message is
// sealed with the session security of the connection's logon and framed as
// multipart/encrypted, the signature length (four bytes, little endian),
// the signature and the sealed message following the part headers:
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=N\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<length><signature><sealed message>--Encrypted Boundary--\r\n
//
// The layout follows pywinrm's winrm/encryption.py and MS-WSMV; pywinrm
// talking to this server is the test that it matches a real client.

// The MIME values of an encrypted message: those of package sealing.
const (
	protocolSPNEGO   = sealing.ProtocolSPNEGO
	protocolKerberos = sealing.ProtocolKerberos
	// encryptedContentType is the Content-Type of an answer to a Negotiate
	// logon's encrypted request.
	encryptedContentType = sealing.Type + `;protocol="` + protocolSPNEGO + `";boundary="` + sealing.Boundary + `"`
	// framingSlack is room for the part headers and the signature around
	// a sealed envelope.
	framingSlack = 1024
)

// sealer is the session security of a logon: NTLM's or Kerberos'.
type sealer = sealing.Session

// errFraming is a request that claims to be encrypted and is not framed as
// an encrypted message, or does not unseal.
var errFraming = errors.New("encrypted message")

// isEncrypted reports whether a request declares an encrypted body.
func isEncrypted(h http.Header) bool { return sealing.IsEncrypted(h) }

// unsealMessage reads an encrypted request body and returns the SOAP
// message it carries, unsealed and verified with session, and the
// protocol it named.
func unsealMessage(contentType string, body []byte, session sealer) ([]byte, string, error) {
	m, err := sealing.Open(contentType, body, session, protocolSPNEGO, protocolKerberos)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errFraming, err)
	}
	return m.Body, m.Protocol, nil
}

// sealMessage seals a SOAP message with session and frames it under
// protocol.
func sealMessage(message []byte, session sealer, protocol string) ([]byte, error) {
	return sealing.Seal(message, session, protocol, contentType)
}

// encryptedContentTypeOf is the Content-Type of a message sealed under
// protocol.
func encryptedContentTypeOf(protocol string) string { return sealing.ContentType(protocol) }

// sealingWriter is the ResponseWriter of a request that came encrypted:
// writeSOAP seals its answer with the same session.
type sealingWriter struct {
	http.ResponseWriter
	session  sealer
	protocol string
}
