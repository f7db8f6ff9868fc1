package winrm

import (
	"net/http"

	"github.com/rectifyhq/rectify/internal/sealing"
)

// WinRM message encryption (MS-WSMV 2.2.9.1.1): over HTTP a Windows server
// with AllowUnencrypted = false takes only messages sealed with the
// session security of the connection's logon, framed as
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=N\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<signature length, 4 bytes LE><signature><sealed message>--Encrypted Boundary--\r\n
//
// and answers the same way (package sealing). pywinrm's winrm/encryption.py
// frames messages so; the lab's server and pywinrm check this client
// against each other.

const (
	// encryptedContentType is the Content-Type of a sealed request.
	encryptedContentType = sealing.Type + `;protocol="` + sealing.ProtocolSPNEGO + `";boundary="` + sealing.Boundary + `"`
	soapContentType      = "application/soap+xml;charset=UTF-8"
)

// sealer is the session security of a connection's logon: NTLM's or
// Kerberos'.
type sealer = sealing.Session

// sealRequest seals a SOAP message with session and frames it.
func sealRequest(message []byte, session sealer) ([]byte, error) {
	return sealing.Seal(message, session, sealing.ProtocolSPNEGO, soapContentType)
}

// isEncrypted reports whether an answer declares a sealed body.
func isEncrypted(h http.Header) bool { return sealing.IsEncrypted(h) }

// openAnswer returns the SOAP message of a sealed answer, unsealed and
// verified with session, and its own Content-Type. Every departure from
// the framing is a protocolError.
func openAnswer(contentType string, body []byte, session sealer) ([]byte, string, error) {
	m, err := sealing.Open(contentType, body, session, sealing.ProtocolSPNEGO)
	if err != nil {
		return nil, "", &protocolError{msg: "encrypted answer: " + err.Error()}
	}
	return m.Body, m.Type, nil
}
