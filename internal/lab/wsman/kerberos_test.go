package wsman

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/sealing"
)

const (
	testRealm = "LAB.EXAMPLE.TEST"
	testSPN   = "HTTP/ex01.lab.example.test"
)

// testKeytab holds ex01's HTTP service key derived from its account's
// password, as exported from a KDC.
func testKeytab(t *testing.T, password string) *keytab.Keytab {
	t.Helper()
	kt := keytab.New()
	if err := kt.AddEntry(testSPN, testRealm, password, time.Now(), 2, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	return kt
}

// testTicket issues a ticket for ex01's HTTP service to user, as the KDC
// would (the tests against a real KDC, Samba's, are beside pywinrm's).
func testTicket(t *testing.T, kt *keytab.Keytab, user string) kerberos.Ticket {
	t.Helper()
	cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, user)
	now := time.Now().UTC()
	tkt, key, err := messages.NewTicket(cname, testRealm, types.NewPrincipalName(nametype.KRB_NT_SRV_INST, testSPN), testRealm,
		asn1.BitString{Bytes: make([]byte, 4), BitLength: 32}, kt, etypeID.AES256_CTS_HMAC_SHA1_96, 2, now, now, now.Add(time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return kerberos.Ticket{Ticket: tkt, SessionKey: key, CName: cname, Realm: testRealm}
}

// dialKerberos authenticates a connection with a Kerberos AP-REQ for user
// and an empty request, and completes the context with the server's AP-REP.
func dialKerberos(t *testing.T, h *Host, kt *keytab.Keytab, user string) (*sealedConn, *http.Response) {
	t.Helper()
	c := dialRaw(t, h)
	token, init, err := kerberos.Initiate(testTicket(t, kt, user), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := c.do("Negotiate "+base64.StdEncoding.EncodeToString(token), "", nil)
	if resp.StatusCode != http.StatusOK {
		return c, resp
	}
	answer, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(resp.Header.Get("WWW-Authenticate"), "Negotiate "))
	if err != nil || len(body) != 0 {
		t.Fatalf("answer %q, body %q", resp.Header.Get("WWW-Authenticate"), body)
	}
	session, err := init.Complete(answer)
	if err != nil {
		t.Fatalf("mutual authentication: %v", err)
	}
	c.session = sealing.Kerberos(session)
	return c, resp
}

// TestKerberosLogon: a host with a keytab accepts a Kerberos AP-REQ in
// SPNEGO, answers with an AP-REP (mutual authentication), unseals and seals
// messages with the context's keys over HTTP, and runs commands in a
// Kerberos logon without delegation. A ticket of another account, or for a
// key the host does not hold, is refused with 401.
func TestKerberosLogon(t *testing.T) {
	kt := testKeytab(t, "ex01-machine-password")
	logons := make(chan Logon, 4)
	runner := RunnerFunc(func(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
		logons <- cmd.Logon
		io.WriteString(stdout, "ran")
		return 0
	})
	l := newLab(t, func(o *Options) {
		o.HTTP, o.CA, o.Keytab, o.Runner = true, nil, kt, runner
		o.Username = `LAB\Administrator`
	})
	h := l.host(t, "ex01")

	c, _ := dialKerberos(t, h, kt, "Administrator")
	status, answer := c.sealed(winrm.NewOpenShellRequest(c.url, params("PT60S")).String())
	shellID, err := winrm.ParseOpenShellResponse(answer)
	if status != http.StatusOK || err != nil {
		t.Fatalf("create: %d %q", status, answer)
	}
	status, answer = c.sealed(winrm.NewExecuteCommandRequest(c.url, shellID, "hostname", nil, params("PT60S")).String())
	if status != http.StatusOK {
		t.Fatalf("command: %d %q", status, answer)
	}
	select {
	case logon := <-logons:
		if logon.User != "Administrator@"+testRealm || logon.Mechanism != MechanismKerberos || logon.CanAuthenticateOnwards() {
			t.Errorf("logon %+v", logon)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command never ran")
	}
	if c := h.Counts(); c.Encrypted != 2 || c.Handshakes != 1 {
		t.Errorf("counts %+v", c)
	}

	if _, resp := dialKerberos(t, h, kt, "Mallory"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("another account's ticket: status %d", resp.StatusCode)
	}
	if _, resp := dialKerberos(t, h, testKeytab(t, "an-older-machine-password"), "Administrator"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a ticket for a key the host does not hold: status %d", resp.StatusCode)
	}
}
