package wsman

import (
	"net/http"
	"strings"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
	"github.com/google/go-cmp/cmp"
	"github.com/masterzen/winrm"
)

// ntlmRaw returns a raw client whose requests go through go-ntlmssp over at
// most one kept-alive connection.
func (l *lab) ntlmRaw(h *Host) *rawClient {
	c := l.raw(h)
	c.http.Transport = ntlmssp.Negotiator{RoundTripper: &http.Transport{
		TLSClientConfig: l.ca.ClientTLSConfig(),
		MaxConnsPerHost: 1,
	}}
	return c
}

// oneCommand runs "echo hi" through Create, Command, Receive (until the
// command is done), Signal and Delete, and returns the number of Receive
// requests it took: the output may arrive before the completion.
func (c *rawClient) oneCommand(t *testing.T) (receives int64) {
	t.Helper()
	shellID := c.openShell(t)
	commandID := c.run(t, shellID, "echo hi")
	var out, errOut strings.Builder
	for done := false; !done; {
		receives++
		body := c.postOK(t, winrm.NewGetOutputRequest(c.url, shellID, commandID, "stdout stderr", params("PT60S")).String())
		var code int
		var err error
		done, code, err = winrm.ParseSlurpOutputErrResponse(body, &out, &errOut)
		if err != nil || code != 0 || receives > 10 {
			t.Fatalf("receive %d: code %d err %v", receives, code, err)
		}
	}
	if out.String() != "hi\r\n" || errOut.String() != "" {
		t.Fatalf("stdout %q stderr %q", out.String(), errOut.String())
	}
	c.postOK(t, winrm.NewSignalRequest(c.url, shellID, commandID, params("PT60S")).String())
	c.postOK(t, winrm.NewDeleteShellRequest(c.url, shellID, params("PT60S")).String())
	return receives
}

// TestNTLMAuthenticatesOncePerConnection checks that NTLM is bound to the
// connection, as on Windows: a kept-alive connection handshakes once for
// many requests, and a new connection must handshake again.
func TestNTLMAuthenticatesOncePerConnection(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")

	first := l.ntlmRaw(h)
	receives := first.oneCommand(t) + first.oneCommand(t)
	// go-ntlmssp first tries without credentials: one 401, then NEGOTIATE
	// (401 with the challenge) and AUTHENTICATE, then every later SOAP
	// request passes on the authenticated connection.
	soap := 8 + receives
	want := Counts{HTTP: soap + 2, Connections: 1, Unauthorized: 2, Handshakes: 1,
		Create: 2, Command: 2, Receive: receives, Signal: 2, Delete: 2}
	if diff := cmp.Diff(want, h.Counts()); diff != "" {
		t.Fatalf("counts after one connection (-want +got):\n%s", diff)
	}

	second := l.ntlmRaw(h)
	second.oneCommand(t)
	got := h.Counts()
	// The second client's transport may open more than one connection
	// (a kept-alive connection can be retired under load); what must hold
	// is one handshake, and two 401s, per new connection.
	if got.Connections < 2 || got.Handshakes != got.Connections || got.Unauthorized != 2*got.Connections {
		t.Fatalf("counts after a second connection %+v: want one handshake and two 401s per connection", got)
	}

	// A request without credentials on a new connection is refused.
	anon := l.raw(h)
	anon.user = ""
	if status, _ := anon.post(t, winrm.NewOpenShellRequest(anon.url, params("PT60S")).String()); status != http.StatusUnauthorized {
		t.Fatalf("anonymous request on a new connection: status %d, want 401", status)
	}
}

// TestCountsMasterzenNTLM checks the counters with the stock masterzen NTLM
// transport: a connection handshakes at most once however many requests it
// carries. (The transport may dial a connection it never uses, so there can
// be more connections than handshakes; each handshake costs two 401s, the
// anonymous try and the challenge. On a loaded machine go-ntlmssp may send
// an AUTHENTICATE on another pooled connection than its NEGOTIATE: the
// server refuses it, 401, and the client starts over, anonymous try and
// challenge again, three more 401s for the same handshake. No other
// request is refused.)
func TestCountsMasterzenNTLM(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	client := l.masterzen(t, h, true, 30*time.Second)
	for i := 0; i < 3; i++ {
		var out, errOut strings.Builder
		if code, err := client.RunWithInput("upper 0", &out, &errOut, strings.NewReader("x")); err != nil || code != 0 {
			t.Fatalf("run %d: code %d err %v", i, code, err)
		}
	}
	c := h.Counts()
	if extra := c.Unauthorized - 2*c.Handshakes; c.Handshakes > c.Connections || extra < 0 || extra%3 != 0 {
		t.Errorf("counts %+v: want at most one handshake per connection, two 401s per handshake and three per handshake split across connections", c)
	}
	if c.SOAP() < 3*6 || c.Handshakes >= c.SOAP() {
		t.Errorf("counts %+v: want at least 18 SOAP requests over fewer handshakes", c)
	}
}

func TestServerCountsSumHosts(t *testing.T) {
	l := newLab(t, nil)
	a, b := l.host(t, "ex01"), l.host(t, "ex02")
	receives := l.raw(a).oneCommand(t) + l.raw(b).oneCommand(t) + l.raw(b).oneCommand(t)
	if got := l.srv.Counts(); got.Create != 3 || got.HTTP != 12+receives || got != a.Counts().Add(b.Counts()) {
		t.Fatalf("server counts %+v, hosts %+v and %+v", got, a.Counts(), b.Counts())
	}
}
