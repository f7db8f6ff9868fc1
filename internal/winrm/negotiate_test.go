package winrm

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/ntlm"
	"github.com/rectifyhq/rectify/internal/sealing"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/ops"
)

// The contexts below stand in for SSPI's Negotiate, which only Windows
// has: they produce the same exchanges (NTLM takes two rounds, Kerberos
// one and a mutual authentication token in the 200), so the handshake
// that SSPI plugs into is tested against the lab's WS-Management server.

// ntlmContext is an NTLM logon in two rounds: NEGOTIATE, then the
// AUTHENTICATE answering the server's CHALLENGE.
type ntlmContext struct {
	client  *ntlm.Client
	session *ntlm.Session
}

func (c *ntlmContext) Step(in []byte) ([]byte, bool, error) {
	if in == nil {
		return c.client.Negotiate(), false, nil
	}
	auth, session, err := c.client.Authenticate(in)
	if err != nil {
		return nil, false, err
	}
	c.session = session
	return auth, true, nil
}

func (c *ntlmContext) Sealer() (sealer, error) {
	if c.session == nil || !c.session.Flags().Confidential() {
		return nil, errors.New("no sealing")
	}
	return sealing.NTLM(c.session), nil
}

// kerberosContext is a Kerberos logon: the AP-REQ, then the AP-REP the
// server's 200 carries.
type kerberosContext struct {
	ticket  kerberos.Ticket
	init    *kerberos.Initiator
	session *kerberos.Session
}

func (c *kerberosContext) Step(in []byte) ([]byte, bool, error) {
	if c.init == nil {
		token, init, err := kerberos.Initiate(c.ticket, nil)
		c.init = init
		return token, false, err
	}
	s, err := c.init.Complete(in)
	if err != nil {
		return nil, false, err
	}
	c.session = s
	return nil, true, nil
}

func (c *kerberosContext) Sealer() (sealer, error) { return sealing.Kerberos(c.session), nil }

// endlessContext answers every token with another.
type endlessContext struct{}

func (endlessContext) Step([]byte) ([]byte, bool, error) { return []byte("more"), false, nil }
func (endlessContext) Sealer() (sealer, error)           { return nil, errors.New("never established") }

// brokenContext cannot even start, as SSPI without a logon session.
type brokenContext struct{}

func (brokenContext) Step([]byte) ([]byte, bool, error) {
	return nil, false, errors.New("SEC_E_NO_CREDENTIALS")
}
func (brokenContext) Sealer() (sealer, error) { return nil, errors.New("never established") }

const (
	testRealm = "LAB.EXAMPLE.TEST"
	hostSPN   = "HTTP/ex01.lab.example.test"
)

// ticketFor issues the lab's account (rectify) a ticket for hostSPN as a
// KDC would, with kt's key, so that no KDC is needed (rectify's Kerberos
// logons against Samba's KDC are in kerberos_test.go).
func ticketFor(t *testing.T, kt *keytab.Keytab) kerberos.Ticket {
	t.Helper()
	cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "rectify")
	sname := types.NewPrincipalName(nametype.KRB_NT_SRV_INST, hostSPN)
	now := time.Now().UTC()
	tkt, key, err := messages.NewTicket(cname, testRealm, sname, testRealm, asn1.BitString{Bytes: make([]byte, 4), BitLength: 32},
		kt, etypeID.AES256_CTS_HMAC_SHA1_96, 2, now, now, now.Add(time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return kerberos.Ticket{Ticket: tkt, SessionKey: key, CName: cname, Realm: testRealm}
}

// negotiateShell is a Shell whose logons go through the Negotiate
// handshake with the contexts newContext makes, as AuthNegotiate's do on
// Windows through SSPI. cfg must pass the defaults with another auth.
func negotiateShell(t *testing.T, cfg Config, newContext func(Config) (securityContext, error)) *Shell {
	t.Helper()
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Auth, cfg.Username, cfg.Password = AuthNegotiate, "", secret.Value{}
	p, err := newConnPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.newContext = newContext
	s := newShellWith(cfg, p)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestNegotiateHandshake logs on to the lab's hosts through the Negotiate
// handshake with an NTLM context (two rounds) and a Kerberos one (one
// round, the server's AP-REP in its 200), over HTTP with every message
// sealed by the context and over HTTPS; the host sees the logon's
// mechanism, commands run, and one logon serves the connection's commands.
func TestNegotiateHandshake(t *testing.T) {
	kt := keytab.New()
	if err := kt.AddEntry(hostSPN, testRealm, "host-account-password", time.Now(), 2, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	for _, https := range []bool{false, true} {
		l := newTestLab(t, func(o *wsman.Options) {
			o.HTTP = !https
			o.Keytab = kt
		})
		h, base := l.host(t, "ex01")
		for _, tc := range []struct {
			name  string
			ctx   func(Config) (securityContext, error)
			logon wsman.Logon
		}{
			{"ntlm", func(Config) (securityContext, error) {
				return &ntlmContext{client: &ntlm.Client{User: labUser, Password: labPassword}}, nil
			}, wsman.Logon{User: labUser, Mechanism: wsman.MechanismNTLM}},
			{"kerberos", func(Config) (securityContext, error) {
				return &kerberosContext{ticket: ticketFor(t, kt)}, nil
			}, wsman.Logon{User: "rectify@" + testRealm, Mechanism: wsman.MechanismKerberos}},
		} {
			name := tc.name + map[bool]string{false: " over http", true: " over https"}[https]
			t.Run(name, func(t *testing.T) {
				s := negotiateShell(t, base, tc.ctx)
				before := h.Counts()
				for range 2 {
					res, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{}))
					if err != nil || len(res.Output) == 0 {
						t.Fatalf("RunScript: %v", err)
					}
				}
				if diff := cmp.Diff(tc.logon, l.runner.lastLogon()); diff != "" {
					t.Errorf("logon (-want +got):\n%s", diff)
				}
				c := h.Counts()
				soap, sealed := c.SOAP()-before.SOAP(), c.Encrypted-before.Encrypted
				if !https && (sealed == 0 || sealed != soap) {
					t.Errorf("over http: %d of %d SOAP messages sealed, want all", sealed, soap)
				}
				if https && sealed != 0 {
					t.Errorf("over https: %d messages sealed besides TLS", sealed)
				}
				if st := s.Stats(); st.Handshakes != st.Dials {
					t.Errorf("%d logons on %d connections: want one per connection", st.Handshakes, st.Dials)
				}
			})
		}
	}
}

// TestNegotiateRefusals: a logon the server refuses is a permanent
// authentication failure; so is a context that cannot start. A server
// that keeps asking for rounds is refused after a bound, and one that
// lets the client in without the token that completes the context is
// refused for want of mutual authentication.
func TestNegotiateRefusals(t *testing.T) {
	l := newTestLab(t, func(o *wsman.Options) { o.HTTP = true })
	_, base := l.host(t, "ex01")
	open := func(cfg Config, ctx func(Config) (securityContext, error)) error {
		return negotiateShell(t, cfg, ctx).Open(context.Background())
	}

	err := open(base, func(Config) (securityContext, error) {
		return &ntlmContext{client: &ntlm.Client{User: labUser, Password: "wrong-" + labPassword}}, nil
	})
	if k := actions.KindOf(err); k != actions.KindAuth || actions.IsRetryable(err) {
		t.Errorf("wrong password: %v (kind %q), want a permanent auth failure", err, k)
	}
	err = open(base, func(Config) (securityContext, error) { return brokenContext{}, nil })
	if k := actions.KindOf(err); k != actions.KindAuth || actions.IsRetryable(err) || !strings.Contains(err.Error(), "SEC_E_NO_CREDENTIALS") {
		t.Errorf("a context that cannot start: %v (kind %q), want a permanent auth failure saying why", err, k)
	}

	// A server that answers every round with another challenge.
	asking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString([]byte("again")))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer asking.Close()
	cfg := base
	cfg.Address, cfg.Port = "127.0.0.1", asking.Listener.Addr().(*net.TCPAddr).Port
	err = open(cfg, func(Config) (securityContext, error) { return endlessContext{}, nil })
	if k := actions.KindOf(err); k != actions.KindProtocol || !strings.Contains(err.Error(), "more than 4 rounds") {
		t.Errorf("endless rounds: %v (kind %q), want a protocol error after the bound", err, k)
	}

	// A server that lets the client in after its AP-REQ, without an AP-REP.
	lenient := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	defer lenient.Close()
	cfg.Port = lenient.Listener.Addr().(*net.TCPAddr).Port
	kt := keytab.New()
	if err := kt.AddEntry(hostSPN, testRealm, "host-account-password", time.Now(), 2, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	err = open(cfg, func(Config) (securityContext, error) { return &kerberosContext{ticket: ticketFor(t, kt)}, nil })
	if k := actions.KindOf(err); k != actions.KindProtocol || !strings.Contains(err.Error(), "no mutual authentication") {
		t.Errorf("no AP-REP: %v (kind %q), want a protocol error: no mutual authentication", err, k)
	}
}

// TestNegotiateNeedsWindows: where there is no SSPI, auth "negotiate" is
// refused with the reason before anything is sent; it also refuses a
// username or password, being the logged-on user's.
func TestNegotiateNeedsWindows(t *testing.T) {
	cfg := Config{Address: "ex01.lab.example.test", Auth: AuthNegotiate}
	_, err := cfg.withDefaults()
	if runtime.GOOS != "windows" {
		if !errors.Is(err, errNoSSPI) {
			t.Errorf("negotiate on %s: %v, want it refused for want of SSPI", runtime.GOOS, err)
		}
		if _, err := New(cfg); actions.KindOf(err) == "" || !strings.Contains(err.Error(), "not running on Windows") {
			t.Errorf("New with negotiate on %s: %v", runtime.GOOS, err)
		}
		return
	}
	if err != nil {
		t.Errorf("negotiate on Windows: %v", err)
	}
	cfg.Username, cfg.Password = `CORP\svc`, secret.New("pw")
	if _, err := cfg.withDefaults(); err == nil {
		t.Error("negotiate with a username and password was accepted")
	}
}
