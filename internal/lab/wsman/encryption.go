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

// The MIME values of an encrypted message.
const (
	encryptedType     = "multipart/encrypted"
	protocolSPNEGO    = "application/HTTP-SPNEGO-session-encrypted"
	encryptedBoundary = "Encrypted Boundary"
	// encryptedContentType is the Content-Type WinRM answers with.
	encryptedContentType = encryptedType + `;protocol="` + protocolSPNEGO + `";boundary="` + encryptedBoundary + `"`
	// framingSlack is room for the part headers and the signature around
	// a sealed envelope.
	framingSlack = 1024
)

// errFraming is a request that claims to be encrypted and is not framed as
// an encrypted message, or does not unseal.
var errFraming = errors.New("encrypted message")

// isEncrypted reports whether a request declares an encrypted body.
func isEncrypted(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == encryptedType
}

// unsealMessage reads an encrypted request body and returns the SOAP
// message it carries, unsealed and verified with session.
func unsealMessage(contentType string, body []byte, session *ntlm.Session) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != encryptedType {
		return nil, fmt.Errorf("%w: content type %q", errFraming, contentType)
	}
	if params["protocol"] != protocolSPNEGO {
		return nil, fmt.Errorf("%w: protocol %q is not %s", errFraming, params["protocol"], protocolSPNEGO)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, fmt.Errorf("%w: no boundary", errFraming)
	}
	delim := []byte("--" + boundary + "\r\n")
	rest, ok := bytes.CutPrefix(body, delim)
	if !ok {
		return nil, fmt.Errorf("%w: the body does not open with the boundary", errFraming)
	}
	headers, rest, ok := bytes.Cut(rest, delim)
	if !ok {
		return nil, fmt.Errorf("%w: no second part", errFraming)
	}
	length, err := originalLength(headers)
	if err != nil {
		return nil, err
	}
	line, rest, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok || !strings.EqualFold(strings.TrimSpace(string(line)), "Content-Type: application/octet-stream") {
		return nil, fmt.Errorf("%w: the second part is not application/octet-stream", errFraming)
	}
	rest, ok = bytes.CutSuffix(rest, []byte("--"+boundary+"--\r\n"))
	if !ok {
		return nil, fmt.Errorf("%w: the body does not close with the boundary", errFraming)
	}
	if len(rest) < 4 {
		return nil, fmt.Errorf("%w: no signature length", errFraming)
	}
	sigLen := binary.LittleEndian.Uint32(rest)
	if sigLen != ntlm.SignatureSize || len(rest) < 4+ntlm.SignatureSize {
		return nil, fmt.Errorf("%w: signature of %d bytes", errFraming, sigLen)
	}
	sig, sealed := rest[4:4+ntlm.SignatureSize], rest[4+ntlm.SignatureSize:]
	if len(sealed) != length {
		return nil, fmt.Errorf("%w: %d sealed bytes for an original length of %d", errFraming, len(sealed), length)
	}
	message, err := session.Unwrap(sealed, sig)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errFraming, err)
	}
	return message, nil
}

// originalLength reads the Length of the OriginalContent header of the
// first part, whose Content-Type must name the SPNEGO protocol.
func originalLength(headers []byte) (int, error) {
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
			protocolOK = value == protocolSPNEGO
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

// sealMessage seals a SOAP answer with session and frames it.
func sealMessage(message []byte, session *ntlm.Session) []byte {
	sealed, sig := session.Wrap(message)
	var b bytes.Buffer
	b.Grow(len(sealed) + 256)
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocolSPNEGO + "\r\n")
	b.WriteString("\tOriginalContent: type=" + contentType + ";Length=" + strconv.Itoa(len(message)) + "\r\n")
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig)))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--" + encryptedBoundary + "--\r\n")
	return b.Bytes()
}

// sealingWriter is the ResponseWriter of a request that came encrypted:
// writeSOAP seals its answer with the same session.
type sealingWriter struct {
	http.ResponseWriter
	session *ntlm.Session
}
