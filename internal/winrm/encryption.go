package winrm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/ntlm"
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
// and answers the same way. pywinrm's winrm/encryption.py frames messages
// so; the lab's server and pywinrm check this client against each other.

const (
	encryptedType     = "multipart/encrypted"
	protocolSPNEGO    = "application/HTTP-SPNEGO-session-encrypted"
	encryptedBoundary = "Encrypted Boundary"
	// encryptedContentType is the Content-Type of a sealed request.
	encryptedContentType = encryptedType + `;protocol="` + protocolSPNEGO + `";boundary="` + encryptedBoundary + `"`
	soapContentType      = "application/soap+xml;charset=UTF-8"
	// maxSignature bounds the signature an answer may claim (NTLM's is 16
	// bytes, Kerberos' 60 with AES).
	maxSignature = 256
)

// sealer is the session security of a connection's logon: NTLM's or
// Kerberos'.
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

// sealRequest seals a SOAP message with session and frames it.
func sealRequest(message []byte, session sealer) ([]byte, error) {
	sig, sealed, err := session.wrap(message)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(sealed) + 256)
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocolSPNEGO + "\r\n")
	b.WriteString("\tOriginalContent: type=" + soapContentType + ";Length=" + strconv.Itoa(len(message)) + "\r\n")
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig)))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--" + encryptedBoundary + "--\r\n")
	return b.Bytes(), nil
}

// isEncrypted reports whether an answer declares a sealed body.
func isEncrypted(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == encryptedType
}

// openAnswer reads a sealed answer by its lengths, never by searching the
// sealed bytes, and returns the SOAP message, unsealed and verified with
// session. Every departure from the framing is a protocolError; the
// OriginalContent length is checked against the data, never used to
// allocate.
func openAnswer(contentType string, body []byte, session sealer) ([]byte, string, error) {
	bad := func(format string, args ...any) ([]byte, string, error) {
		return nil, "", &protocolError{msg: "encrypted answer: " + fmt.Sprintf(format, args...)}
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != encryptedType || params["protocol"] != protocolSPNEGO || params["boundary"] == "" {
		return bad("content type %.200q is not %s", contentType, protocolSPNEGO)
	}
	delim := []byte("--" + params["boundary"] + "\r\n")
	rest, ok := bytes.CutPrefix(body, delim)
	if !ok {
		return bad("the body does not open with the boundary")
	}
	headers, rest, ok := bytes.Cut(rest, delim)
	if !ok {
		return bad("no second part")
	}
	innerType, length, err := originalContent(headers)
	if err != nil {
		return bad("%v", err)
	}
	line, rest, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok || !strings.EqualFold(strings.TrimSpace(string(line)), "Content-Type: application/octet-stream") {
		return bad("the second part is not application/octet-stream")
	}
	rest, ok = bytes.CutSuffix(rest, []byte("--"+params["boundary"]+"--\r\n"))
	if !ok {
		return bad("the body does not close with the boundary")
	}
	if len(rest) < 4 {
		return bad("no signature length")
	}
	n := int(binary.LittleEndian.Uint32(rest))
	if n == 0 || n > maxSignature || len(rest) < 4+n {
		return bad("a signature of %d bytes", n)
	}
	sig, sealed := rest[4:4+n], rest[4+n:]
	if len(sealed) < length {
		return bad("%d sealed bytes for an original length of %d", len(sealed), length)
	}
	message, err := session.unwrap(sig, sealed)
	if err != nil {
		return bad("%v", err)
	}
	if len(message) != length {
		return bad("the message unsealed to %d bytes, not the original length of %d", len(message), length)
	}
	return message, innerType, nil
}

// originalContent reads the first part's headers: its Content-Type must
// name the SPNEGO protocol; OriginalContent gives the type and length of
// the sealed message.
func originalContent(headers []byte) (string, int, error) {
	var (
		protocolOK bool
		innerType  string
		length     = -1
	)
	for _, line := range strings.Split(string(headers), "\r\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Type"):
			protocolOK = value == protocolSPNEGO
		case strings.EqualFold(name, "OriginalContent"):
			var parts []string
			for _, p := range strings.Split(value, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				switch {
				case strings.EqualFold(k, "type"):
					parts = append(parts, v)
				case strings.EqualFold(k, "Length"):
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return "", 0, fmt.Errorf("OriginalContent length %.40q", v)
					}
					length = n
				default:
					parts = append(parts, strings.TrimSpace(p))
				}
			}
			innerType = strings.Join(parts, ";")
		}
	}
	if !protocolOK || length < 0 {
		return "", 0, fmt.Errorf("the first part does not describe the original content")
	}
	return innerType, length, nil
}
