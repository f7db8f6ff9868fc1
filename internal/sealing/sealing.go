// Package sealing frames WinRM messages sealed with the session security
// of a connection's logon (MS-WSMV 2.2.9.1.1), for the client and for the
// lab's server alike. Over HTTP a Windows server with AllowUnencrypted =
// false takes only such messages, framed as
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=N\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<signature length, 4 bytes LE><signature><sealed message>--Encrypted Boundary--\r\n
//
// and answers the same way. The layout follows pywinrm's
// winrm/encryption.py and MS-WSMV; pywinrm talking to the lab's server and
// the client talking to both are the tests that it matches.
package sealing

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

// The MIME values of an encrypted message. Negotiate logons (NTLM or
// Kerberos) use the SPNEGO protocol name; a logon under the Kerberos
// scheme the Kerberos one (MS-WSMV 2.2.9.1.2).
const (
	Type             = "multipart/encrypted"
	ProtocolSPNEGO   = "application/HTTP-SPNEGO-session-encrypted"
	ProtocolKerberos = "application/HTTP-Kerberos-session-encrypted"
	Boundary         = "Encrypted Boundary"
	// MaxSignature bounds the signature a message may claim (NTLM's is 16
	// bytes, Kerberos' 60 with AES).
	MaxSignature = 256
)

// Session is the session security of a logon: NTLM's or Kerberos'.
type Session interface {
	Wrap(message []byte) (signature, sealed []byte, err error)
	Unwrap(signature, sealed []byte) ([]byte, error)
}

// NTLM is the Session of an NTLM logon that negotiated sealing.
func NTLM(s *ntlm.Session) Session { return ntlmSession{s} }

// Kerberos is the Session of a Kerberos security context.
func Kerberos(s *kerberos.Session) Session { return kerberosSession{s} }

type ntlmSession struct{ s *ntlm.Session }

func (n ntlmSession) Wrap(m []byte) ([]byte, []byte, error) {
	sealed, sig := n.s.Wrap(m)
	return sig, sealed, nil
}
func (n ntlmSession) Unwrap(sig, sealed []byte) ([]byte, error) { return n.s.Unwrap(sealed, sig) }

type kerberosSession struct{ s *kerberos.Session }

func (k kerberosSession) Wrap(m []byte) ([]byte, []byte, error) { return k.s.Wrap(m) }
func (k kerberosSession) Unwrap(sig, sealed []byte) ([]byte, error) {
	return k.s.Unwrap(sig, sealed)
}

// ContentType is the Content-Type of a message sealed under protocol.
func ContentType(protocol string) string {
	return Type + `;protocol="` + protocol + `";boundary="` + Boundary + `"`
}

// IsEncrypted reports whether a message's headers declare a sealed body.
func IsEncrypted(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == Type
}

// Seal seals message with s and frames it under protocol; innerType is
// the message's own Content-Type.
func Seal(message []byte, s Session, protocol, innerType string) ([]byte, error) {
	sig, sealed, err := s.Wrap(message)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(sealed) + 256)
	b.WriteString("--" + Boundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	b.WriteString("\tOriginalContent: type=" + innerType + ";Length=" + strconv.Itoa(len(message)) + "\r\n")
	b.WriteString("--" + Boundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig)))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--" + Boundary + "--\r\n")
	return b.Bytes(), nil
}

// Message is an opened sealed message.
type Message struct {
	// Body is the message, unsealed and verified.
	Body []byte
	// Protocol is the protocol its Content-Type named.
	Protocol string
	// Type is its own Content-Type, from OriginalContent.
	Type string
}

// Open reads a sealed message by its lengths, never by searching the
// sealed bytes, and returns it unsealed and verified with s. protocols are
// the protocol names accepted. The OriginalContent length is checked
// against the data, never used to allocate. Every departure from the
// framing is an error that says which, and never quotes more than a few
// hundred bytes of what came.
func Open(contentType string, body []byte, s Session, protocols ...string) (Message, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != Type {
		return Message{}, fmt.Errorf("content type %.200q is not %s", contentType, Type)
	}
	protocol := params["protocol"]
	known := false
	for _, p := range protocols {
		known = known || p == protocol
	}
	if !known {
		return Message{}, fmt.Errorf("protocol %.200q is not %s", protocol, strings.Join(protocols, " or "))
	}
	boundary := params["boundary"]
	if boundary == "" {
		return Message{}, fmt.Errorf("no boundary")
	}
	delim := []byte("--" + boundary + "\r\n")
	rest, ok := bytes.CutPrefix(body, delim)
	if !ok {
		return Message{}, fmt.Errorf("the body does not open with the boundary")
	}
	headers, rest, ok := bytes.Cut(rest, delim)
	if !ok {
		return Message{}, fmt.Errorf("no second part")
	}
	innerType, length, err := originalContent(headers, protocol)
	if err != nil {
		return Message{}, err
	}
	line, rest, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok || !strings.EqualFold(strings.TrimSpace(string(line)), "Content-Type: application/octet-stream") {
		return Message{}, fmt.Errorf("the second part is not application/octet-stream")
	}
	rest, ok = bytes.CutSuffix(rest, []byte("--"+boundary+"--\r\n"))
	if !ok {
		return Message{}, fmt.Errorf("the body does not close with the boundary")
	}
	if len(rest) < 4 {
		return Message{}, fmt.Errorf("no signature length")
	}
	n := int(binary.LittleEndian.Uint32(rest))
	if n == 0 || n > MaxSignature || len(rest) < 4+n {
		return Message{}, fmt.Errorf("a signature of %d bytes", n)
	}
	sig, sealed := rest[4:4+n], rest[4+n:]
	if len(sealed) < length {
		return Message{}, fmt.Errorf("%d sealed bytes for an original length of %d", len(sealed), length)
	}
	message, err := s.Unwrap(sig, sealed)
	if err != nil {
		return Message{}, err
	}
	if len(message) != length {
		return Message{}, fmt.Errorf("the message unsealed to %d bytes, not the original length of %d", len(message), length)
	}
	return Message{Body: message, Protocol: protocol, Type: innerType}, nil
}

// originalContent reads the first part's headers: its Content-Type must
// name protocol; OriginalContent gives the type and length of the sealed
// message.
func originalContent(headers []byte, protocol string) (string, int, error) {
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
			protocolOK = value == protocol
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
