package wsman

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/ntlm"
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

// The MIME values of an encrypted message. Negotiate logons (NTLM or
// Kerberos) use the SPNEGO protocol name; a logon under the Kerberos scheme
// the Kerberos one (MS-WSMV 2.2.9.1.2).
const (
	encryptedType     = "multipart/encrypted"
	protocolSPNEGO    = "application/HTTP-SPNEGO-session-encrypted"
	protocolKerberos  = "application/HTTP-Kerberos-session-encrypted"
	encryptedBoundary = "Encrypted Boundary"
	// encryptedContentType is the Content-Type of an answer to a Negotiate
	// logon's encrypted request.
	encryptedContentType = encryptedType + `;protocol="` + protocolSPNEGO + `";boundary="` + encryptedBoundary + `"`
	// framingSlack is room for the part headers and the signature around
	// a sealed envelope.
	framingSlack = 1024
	// maxSignature bounds the signature a message may claim (NTLM's is 16
	// bytes, Kerberos' 60 with AES).
	maxSignature = 256
)

// sealer is the session security of a logon: NTLM's or Kerberos'.
type sealer interface {
	wrap(message []byte) (signature, sealed []byte, err error)
	unwrap(signature, sealed []byte) ([]byte, error)
}

type ntlmSealer struct{ s *ntlm.Session }

func (n ntlmSealer) wrap(m []byte) ([]byte, []byte, error) {
	sealed, sig := n.s.Wrap(m)
	return sig, sealed, nil
}
func (n ntlmSealer) unwrap(sig, sealed []byte) ([]byte, error) { return n.s.Unwrap(sealed, sig) }

type kerberosSealer struct{ s *kerberos.Session }

func (k kerberosSealer) wrap(m []byte) ([]byte, []byte, error) { return k.s.Wrap(m) }
func (k kerberosSealer) unwrap(sig, sealed []byte) ([]byte, error) {
	return k.s.Unwrap(sig, sealed)
}

// errFraming is a request that claims to be encrypted and is not framed as
// an encrypted message, or does not unseal.
var errFraming = errors.New("encrypted message")

// isEncrypted reports whether a request declares an encrypted body.
func isEncrypted(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == encryptedType
}

// unsealMessage reads an encrypted request body and returns the SOAP
// message it carries, unsealed and verified with session, and the
// protocol it named.
func unsealMessage(contentType string, body []byte, session sealer) ([]byte, string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != encryptedType {
		return nil, "", fmt.Errorf("%w: content type %q", errFraming, contentType)
	}
	protocol := params["protocol"]
	if protocol != protocolSPNEGO && protocol != protocolKerberos {
		return nil, "", fmt.Errorf("%w: protocol %q is not %s", errFraming, protocol, protocolSPNEGO)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, "", fmt.Errorf("%w: no boundary", errFraming)
	}
	delim := []byte("--" + boundary + "\r\n")
	rest, ok := bytes.CutPrefix(body, delim)
	if !ok {
		return nil, "", fmt.Errorf("%w: the body does not open with the boundary", errFraming)
	}
	headers, rest, ok := bytes.Cut(rest, delim)
	if !ok {
		return nil, "", fmt.Errorf("%w: no second part", errFraming)
	}
	length, err := originalLength(headers, protocol)
	if err != nil {
		return nil, "", err
	}
	line, rest, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok || !strings.EqualFold(strings.TrimSpace(string(line)), "Content-Type: application/octet-stream") {
		return nil, "", fmt.Errorf("%w: the second part is not application/octet-stream", errFraming)
	}
	rest, ok = bytes.CutSuffix(rest, []byte("--"+boundary+"--\r\n"))
	if !ok {
		return nil, "", fmt.Errorf("%w: the body does not close with the boundary", errFraming)
	}
	if len(rest) < 4 {
		return nil, "", fmt.Errorf("%w: no signature length", errFraming)
	}
	sigLen := int(binary.LittleEndian.Uint32(rest))
	if sigLen == 0 || sigLen > maxSignature || len(rest) < 4+sigLen {
		return nil, "", fmt.Errorf("%w: signature of %d bytes", errFraming, sigLen)
	}
	sig, sealed := rest[4:4+sigLen], rest[4+sigLen:]
	if len(sealed) < length {
		return nil, "", fmt.Errorf("%w: %d sealed bytes for an original length of %d", errFraming, len(sealed), length)
	}
	message, err := session.unwrap(sig, sealed)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errFraming, err)
	}
	if len(message) != length {
		return nil, "", fmt.Errorf("%w: the message unsealed to %d bytes, not the original length of %d", errFraming, len(message), length)
	}
	return message, protocol, nil
}

// originalLength reads the Length of the OriginalContent header of the
// first part, whose Content-Type must name the message's protocol.
func originalLength(headers []byte, protocol string) (int, error) {
	var protocolOK bool
	length := -1
	for _, line := range strings.Split(string(headers), "\r\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Type"):
			protocolOK = value == protocol
		case strings.EqualFold(name, "OriginalContent"):
			for _, p := range strings.Split(value, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "Length") {
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return 0, fmt.Errorf("%w: OriginalContent length %q", errFraming, v)
					}
					length = n
				}
			}
		}
	}
	if !protocolOK || length < 0 {
		return 0, fmt.Errorf("%w: the first part does not describe the original content", errFraming)
	}
	return length, nil
}

// sealMessage seals a SOAP message with session and frames it under
// protocol.
func sealMessage(message []byte, session sealer, protocol string) ([]byte, error) {
	sig, sealed, err := session.wrap(message)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(sealed) + 256)
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	b.WriteString("\tOriginalContent: type=" + contentType + ";Length=" + strconv.Itoa(len(message)) + "\r\n")
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig)))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--" + encryptedBoundary + "--\r\n")
	return b.Bytes(), nil
}

// encryptedContentTypeOf is the Content-Type of a message sealed under
// protocol.
func encryptedContentTypeOf(protocol string) string {
	return encryptedType + `;protocol="` + protocol + `";boundary="` + encryptedBoundary + `"`
}

// sealingWriter is the ResponseWriter of a request that came encrypted:
// writeSOAP seals its answer with the same session.
type sealingWriter struct {
	http.ResponseWriter
	session  sealer
	protocol string
}
