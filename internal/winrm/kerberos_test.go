package winrm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/ops"
)

// TestKerberosAgainstSamba runs commands with tickets from a real KDC,
// Samba's: with a password, the user's own keytab and a credential cache
// filled by MIT's kinit, over HTTP with every message sealed by the
// Kerberos context, on a lab host that verifies the tickets with the keytab
// samba-tool exported for its SPN. The host sees a Kerberos logon,
// delegated when the client asked the KDC for a forwarded TGT and sent it. A wrong password and a host whose SPN the KDC does not know
// are permanent authentication failures, and a server that answers without
// an AP-REP is refused (no mutual authentication).
func TestKerberosAgainstSamba(t *testing.T) {
	dc := sambatest.Start(t)
	kt, err := keytab.Load(dc.ServiceAccount(t, "EX01"))
	if err != nil {
		t.Fatal(err)
	}
	userKeytab := filepath.Join(t.TempDir(), "administrator.keytab")
	dc.SambaTool(t, "domain", "exportkeytab", userKeytab, "--principal=Administrator")
	krb5Conf := dc.Krb5Conf(t)
	ccache := dc.Kinit(t, krb5Conf)

	l := newTestLab(t, func(o *wsman.Options) {
		o.HTTP, o.CA, o.Keytab = true, nil, kt
		o.Username = sambatest.Domain + `\Administrator`
	})
	h, base := l.host(t, "ex01")
	base.Auth, base.Username, base.Password = AuthKerberos, "Administrator@"+strings.ToLower(sambatest.Realm), secret.Value{}
	base.Kerberos = KerberosConfig{Realm: sambatest.Realm, KDCs: []string{dc.KDCAddress()}}

	tests := []struct {
		name      string
		edit      func(*Config)
		kind      actions.Kind // "" for success
		delegated bool
	}{
		{"password", func(c *Config) { c.Password = secret.New(sambatest.AdminPassword) }, "", false},
		{"keytab", func(c *Config) { c.Kerberos.Keytab = userKeytab }, "", false},
		{"credential cache", func(c *Config) {
			c.Username = ""
			c.Kerberos = KerberosConfig{CCache: ccache, Krb5Conf: krb5Conf}
		}, "", false},
		{"password, TGT delegated", func(c *Config) {
			c.Password = secret.New(sambatest.AdminPassword)
			c.Kerberos.Delegate = true
		}, "", true},
		{"credential cache, TGT delegated", func(c *Config) {
			c.Username = ""
			c.Kerberos = KerberosConfig{CCache: ccache, Krb5Conf: krb5Conf, Delegate: true}
		}, "", true},
		{"wrong password", func(c *Config) { c.Password = secret.New("wrong-" + sambatest.AdminPassword) }, actions.KindAuth, false},
		{"unknown SPN", func(c *Config) {
			c.Password = secret.New(sambatest.AdminPassword)
			c.Kerberos.SPN = "HTTP/ex99.lab.example.test"
		}, actions.KindAuth, false},
	}
	t.Run("no AP-REP", func(t *testing.T) {
		// A server that lets the client in without proving it holds the
		// service's key: it answers 200 and no AP-REP.
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusOK)
		}))
		defer ts.Close()
		cfg := base
		cfg.Password = secret.New(sambatest.AdminPassword)
		cfg.Address, cfg.Port = ts.Listener.Addr().(*net.TCPAddr).IP.String(), ts.Listener.Addr().(*net.TCPAddr).Port
		err := newShell(t, cfg).Open(context.Background())
		if k := actions.KindOf(err); k != actions.KindProtocol || !strings.Contains(err.Error(), "no mutual authentication") {
			t.Fatalf("error %v (kind %q), want a protocol error: no mutual authentication", err, k)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			cfg.Timeout = 20 * time.Second
			s := newShell(t, cfg)
			before := h.Counts()
			res, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{}))
			if tt.kind != "" {
				var te *actions.TransportError
				if !errors.As(err, &te) || te.Kind != tt.kind || te.Class != actions.Permanent {
					t.Fatalf("error %#v, want a permanent %s error", err, tt.kind)
				}
				if strings.Contains(err.Error(), sambatest.AdminPassword) {
					t.Errorf("the password reached the error: %v", err)
				}
				return
			}
			if err != nil || len(res.Output) == 0 {
				t.Fatalf("RunScript: %v", err)
			}
			c := h.Counts()
			if sealed := c.Encrypted - before.Encrypted; sealed == 0 || sealed != c.SOAP()-before.SOAP() || c.Unencrypted != 0 {
				t.Errorf("counts %+v: want every SOAP message sealed", c)
			}
			want := wsman.Logon{User: "Administrator@" + sambatest.Realm, Mechanism: wsman.MechanismKerberos, Delegated: tt.delegated}
			if diff := cmp.Diff(want, l.runner.lastLogon()); diff != "" {
				t.Errorf("logon (-want +got):\n%s", diff)
			}
		})
	}
}
