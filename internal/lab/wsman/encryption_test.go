package wsman

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/ntlm"
	"github.com/rectifyhq/rectify/internal/sealing"
)

// sealedConn is one connection to a host, authenticated with rectify's
// NTLM client (sealing, key exchange, MIC), on which a test sends
// requests plain or sealed.
type sealedConn struct {
	t       *testing.T
	nc      net.Conn
	br      *bufio.Reader
	url     string
	session sealer
}

// dialRaw connects to h over HTTP.
func dialRaw(t *testing.T, h *Host) *sealedConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", h.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &sealedConn{t: t, nc: nc, br: bufio.NewReader(nc), url: h.URL()}
}

// dialSealed connects to h over HTTP and authenticates the connection with
// NTLM and an empty request, as pywinrm does before its first encrypted
// message.
func dialSealed(t *testing.T, h *Host) *sealedConn {
	t.Helper()
	c := dialRaw(t, h)
	client := &ntlm.Client{User: testUser, Password: testPassword}
	resp, _ := c.do("Negotiate "+base64.StdEncoding.EncodeToString(client.Negotiate()), "", nil)
	challenge, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(resp.Header.Get("WWW-Authenticate"), "Negotiate "))
	if resp.StatusCode != http.StatusUnauthorized || err != nil {
		t.Fatalf("negotiate: status %d, challenge %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	authenticate, session, err := client.Authenticate(challenge)
	if err != nil {
		t.Fatal(err)
	}
	c.session = sealing.NTLM(session)
	if resp, body := c.do("Negotiate "+base64.StdEncoding.EncodeToString(authenticate), "", nil); resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("authenticate with an empty request: status %d, body %q", resp.StatusCode, body)
	}
	return c
}

// do sends one request on the connection and reads its answer.
func (c *sealedConn) do(authorization, contentType string, body []byte) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	_ = c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := req.Write(c.nc); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.br, req)
	if err != nil {
		c.t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, data
}

// sealed sends message encrypted and returns the answer's status and its
// unsealed body.
func (c *sealedConn) sealed(message string) (int, string) {
	c.t.Helper()
	resp, body := c.do("", encryptedContentType, mustSeal(c.t, []byte(message), c.session))
	if ct := resp.Header.Get("Content-Type"); ct != encryptedContentType {
		c.t.Fatalf("answer %d of content type %q, want an encrypted answer: %q", resp.StatusCode, ct, body)
	}
	plain, _, err := unsealMessage(resp.Header.Get("Content-Type"), body, c.session)
	if err != nil {
		c.t.Fatalf("unseal the answer: %v", err)
	}
	return resp.StatusCode, string(plain)
}

// mustSeal frames message sealed with session under the SPNEGO protocol.
func mustSeal(t testing.TB, message []byte, session sealer) []byte {
	t.Helper()
	b, err := sealMessage(message, session, protocolSPNEGO)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHTTPListenerRequiresEncryption: an HTTP host, like a default Windows
// server (AllowUnencrypted = false), answers encrypted requests encrypted,
// refuses a plain request of a logon that can encrypt with 500 and an
// empty body, refuses logons that cannot encrypt (Basic, NTLM without
// sealing) with 401, and closes a connection whose message does not
// unseal. With AllowUnencrypted, plain requests work as before.
func TestHTTPListenerRequiresEncryption(t *testing.T) {
	l := newLab(t, func(o *Options) { o.HTTP = true; o.CA = nil })
	h := l.host(t, "ex01")
	if !strings.HasPrefix(h.URL(), "http://") {
		t.Fatalf("URL %s", h.URL())
	}

	t.Run("sealed", func(t *testing.T) {
		c := dialSealed(t, h)
		status, answer := c.sealed(winrm.NewOpenShellRequest(c.url, params("PT60S")).String())
		shellID, err := winrm.ParseOpenShellResponse(answer)
		if status != http.StatusOK || err != nil || shellID == "" {
			t.Fatalf("create: status %d, answer %q", status, answer)
		}
		// A fault travels sealed too.
		status, answer = c.sealed(winrm.NewDeleteShellRequest(c.url, "NO-SUCH-SHELL", params("PT60S")).String())
		if status != http.StatusInternalServerError || !strings.Contains(answer, "2150858843") {
			t.Errorf("delete of an unknown shell: status %d, answer %q", status, answer)
		}
		status, _ = c.sealed(winrm.NewDeleteShellRequest(c.url, shellID, params("PT60S")).String())
		if status != http.StatusOK {
			t.Errorf("delete: status %d", status)
		}
	})

	t.Run("plain from a logon that seals", func(t *testing.T) {
		c := dialSealed(t, h)
		before := h.Counts()
		resp, body := c.do("", contentType, []byte(winrm.NewOpenShellRequest(c.url, params("PT60S")).String()))
		if resp.StatusCode != http.StatusInternalServerError || len(body) != 0 {
			t.Errorf("plain request: status %d, body %q; want 500 with no body", resp.StatusCode, body)
		}
		if c := h.Counts(); c.Unencrypted != before.Unencrypted+1 || c.Create != before.Create {
			t.Errorf("counts %+v: want the request refused before it was read", c)
		}
	})

	t.Run("tampered", func(t *testing.T) {
		c := dialSealed(t, h)
		framed := mustSeal(t, []byte(winrm.NewOpenShellRequest(c.url, params("PT60S")).String()), c.session)
		framed[len(framed)-40] ^= 1 // a byte of the sealed envelope
		resp, _ := c.do("", encryptedContentType, framed)
		if resp.StatusCode != http.StatusBadRequest || !resp.Close {
			t.Errorf("tampered request: status %d, close %v; want 400 and the connection closed", resp.StatusCode, resp.Close)
		}
		if h.Counts().BadlySealed == 0 {
			t.Error("no badly sealed request counted")
		}
	})

	for _, ntlmAuth := range []bool{false, true} {
		name := map[bool]string{false: "basic", true: "ntlm without sealing"}[ntlmAuth]
		t.Run(name, func(t *testing.T) {
			client := l.masterzen(t, h, ntlmAuth, 10*time.Second)
			_, err := client.RunWithInput("upper 4", io.Discard, io.Discard, strings.NewReader("plain"))
			if err == nil || !strings.Contains(err.Error(), "401") {
				t.Errorf("masterzen (%s) over HTTP: %v, want a 401", name, err)
			}
		})
	}

	t.Run("AllowUnencrypted", func(t *testing.T) {
		l := newLab(t, func(o *Options) { o.HTTP = true; o.CA = nil; o.AllowUnencrypted = true })
		h := l.host(t, "ex01")
		for _, ntlmAuth := range []bool{false, true} {
			client := l.masterzen(t, h, ntlmAuth, 10*time.Second)
			var out strings.Builder
			code, err := client.RunWithInput("upper 4", &out, io.Discard, strings.NewReader("plain"))
			if err != nil || code != 4 || out.String() != "PLAIN" {
				t.Fatalf("ntlm %v: code %d stdout %q err %v", ntlmAuth, code, out.String(), err)
			}
		}
	})
}

// TestUnsealMessageRefusesMalformed: the framing is read by its lengths
// and refused when anything is off, never trusted.
func TestUnsealMessageRefusesMalformed(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	flags := ntlm.FlagSign | ntlm.FlagSeal | ntlm.FlagExtendedSecurity | ntlm.Flag128 | ntlm.FlagKeyExchange
	pair := func() (sealer, sealer) {
		c, _ := ntlm.NewSession(flags, key, ntlm.ClientSide)
		s, _ := ntlm.NewSession(flags, key, ntlm.ServerSide)
		return sealing.NTLM(c), sealing.NTLM(s)
	}
	c, s := pair()
	good := mustSeal(t, []byte("<s:Envelope/>"), c)
	if got, _, err := unsealMessage(encryptedContentType, good, s); err != nil || string(got) != "<s:Envelope/>" {
		t.Fatalf("unseal %q, %v", got, err)
	}
	edits := map[string]func(b []byte) []byte{
		"no opening boundary": func(b []byte) []byte { return b[2:] },
		"no closing boundary": func(b []byte) []byte { return b[:len(b)-3] },
		"length too large":    func(b []byte) []byte { return bytes.Replace(b, []byte("Length=13"), []byte("Length=99999999999"), 1) },
		"length too small":    func(b []byte) []byte { return bytes.Replace(b, []byte("Length=13"), []byte("Length=12"), 1) },
		"negative length":     func(b []byte) []byte { return bytes.Replace(b, []byte("Length=13"), []byte("Length=-1"), 1) },
		"other protocol": func(b []byte) []byte {
			return bytes.Replace(b, []byte("\tContent-Type: "+protocolSPNEGO), []byte("\tContent-Type: application/HTTP-CredSSP-session-encrypted"), 1)
		},
		"signature length": func(b []byte) []byte {
			i := bytes.Index(b, []byte("octet-stream\r\n")) + len("octet-stream\r\n")
			b[i] = 0xff
			return b
		},
		"truncated": func(b []byte) []byte { return append(b[:120:120], []byte("--Encrypted Boundary--\r\n")...) },
	}
	for name, edit := range edits {
		c, s := pair()
		framed := edit(mustSeal(t, []byte("<s:Envelope/>"), c))
		if _, _, err := unsealMessage(encryptedContentType, framed, s); err == nil {
			t.Errorf("%s: unsealed", name)
		}
	}
	for _, ct := range []string{"application/soap+xml", `multipart/encrypted;protocol="application/HTTP-Kerberos-session-encrypted";boundary="Encrypted Boundary"`, `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"`} {
		c, s := pair()
		if _, _, err := unsealMessage(ct, mustSeal(t, []byte("x"), c), s); err == nil {
			t.Errorf("content type %q: unsealed", ct)
		}
	}
}
