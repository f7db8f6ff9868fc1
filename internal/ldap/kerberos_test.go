package ldap_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
)

// kerberosConfig binds to the Samba DC with Kerberos over plain LDAP,
// sealed by the Kerberos context: the DC is dialled by its address and
// named by its FQDN, which its SPN ldap/<fqdn> carries.
func kerberosConfig(dc *sambatest.DC) ldap.Config {
	return ldap.Config{
		URL: dc.LDAPURL(), GCURL: dc.GCURL(), ServerName: sambatest.FQDN, CAFile: dc.PKI.CAFile,
		BaseDN: sambatest.BaseDN, Timeout: 20 * time.Second,
		Auth:     ldap.AuthKerberos,
		BindUser: dc.AdminUPN(),
		Kerberos: ldap.KerberosConfig{Realm: sambatest.Realm, KDCs: []string{dc.KDCAddress()}},
	}
}

// TestKerberosBindAgainstSamba binds with SASL GSSAPI and tickets from
// Samba's KDC for ldap/<dc fqdn>, from a password, the user's keytab and a
// credential cache filled by MIT's kinit (the last two with no password in
// the configuration at all, so no simple bind could have succeeded), over
// plain LDAP with every message sealed (Samba's default allows Kerberos
// there and only there), and through the Directory reads the rootDSE,
// searches the domain and the Global Catalog, and adds SPNs to a computer
// account.
func TestKerberosBindAgainstSamba(t *testing.T) {
	dc := sambatest.Shared(t)
	krb5Conf := dc.Krb5Conf(t)
	ccache := dc.Kinit(t, krb5Conf)
	userKeytab := filepath.Join(t.TempDir(), "administrator.keytab")
	dc.SambaTool(t, "domain", "exportkeytab", userKeytab, "--principal=Administrator")

	tests := []struct {
		name string
		edit func(*ldap.Config)
	}{
		{"password", func(c *ldap.Config) { c.Password = secret.New(dc.AdminPassword()) }},
		{"keytab", func(c *ldap.Config) { c.Kerberos.Keytab = userKeytab }},
		{"credential cache", func(c *ldap.Config) {
			c.BindUser = ""
			c.Kerberos = ldap.KerberosConfig{CCache: ccache, Krb5Conf: krb5Conf}
		}},
		{"down-level name", func(c *ldap.Config) {
			c.BindUser = dc.AdminDownLevel()
			c.Password = secret.New(dc.AdminPassword())
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := kerberosConfig(dc)
			tc.edit(&cfg)
			// Every byte to and from the DC passes a recorder: what the
			// directory holds must not travel readable.
			rec := newRecorder(t, dc.Addr(sambatest.PortLDAP))
			cfg.URL = "ldap://" + rec.addr()
			name := exerciseDirectory(t, dc, open(t, cfg), "KRB"+string(rune('A'+i)))
			if wire := rec.bytes(); len(wire) == 0 || bytes.Contains(bytes.ToLower(wire), []byte(strings.ToLower(name))) {
				t.Errorf("the computer %s travels readable on the wire (%d bytes recorded)", name, len(wire))
			}
		})
	}
}

// recorder forwards TCP connections to a server and keeps every byte
// that passes, both ways.
type recorder struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	seen   []byte
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{l: l, target: target}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go r.copy(s, c)
			go r.copy(c, s)
		}
	}()
	return r
}

func (r *recorder) addr() string { return r.l.Addr().String() }

func (r *recorder) copy(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.mu.Lock()
			r.seen = append(r.seen, buf[:n]...)
			r.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.seen...)
}

// exerciseDirectory reads the rootDSE, adds the KB's SPNs to a new
// computer account, finds it, and looks its SPNs up in the Global
// Catalog. It returns the computer's name.
func exerciseDirectory(t *testing.T, dc *sambatest.DC, d *ldap.Directory, prefix string) string {
	t.Helper()
	ctx := testContext(t)
	root, err := d.RootDSE(ctx)
	if err != nil {
		t.Fatalf("rootDSE: %v", err)
	}
	if got := root.Get("defaultNamingContext"); !strings.EqualFold(got, sambatest.BaseDN) {
		t.Errorf("defaultNamingContext = %q", got)
	}
	// A name of this run's own: tests share the DC.
	name := prefix + randomSuffix(t)
	dn := dc.AddComputers(t, name)[0]
	fqdn := sambatest.ComputerFQDN(name)
	spns := ldap.KBSPNs(name, fqdn, nil)
	if err := d.Modify(ctx, actions.ModifyRequest{DN: dn, Changes: []actions.Modification{
		{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: spns},
	}}); err != nil {
		t.Fatalf("add SPNs: %v", err)
	}
	c, found, err := ldap.FindComputer(ctx, d, name, fqdn)
	if err != nil || !found {
		t.Fatalf("find %s: found %v, %v", name, found, err)
	}
	if diff := cmp.Diff(lowerSorted(spns), lowerSorted(c.ServicePrincipalName)); diff != "" {
		t.Errorf("SPNs after the modify (-want +got):\n%s", diff)
	}
	holders, err := ldap.Holders(ctx, d, spns[:1])
	if err != nil {
		t.Fatalf("global catalog search: %v", err)
	}
	if len(holders) != 1 {
		t.Errorf("holders of %s in the Global Catalog: %v", spns[0], holders)
	}
	return name
}

// TestKerberosBindRefusals: a wrong password is the KDC's refusal, a
// permanent auth failure of the bind that names the DC and its SPN and
// never the password; so is a ticket for an SPN no account holds. Samba,
// by default, refuses Kerberos inside TLS (it wants a SASL layer there and
// allows none): the refusal says to use sealed plain LDAP. A DC named only
// by its address cannot have its SPN derived, and the configuration is
// refused before anything is sent.
func TestKerberosBindRefusals(t *testing.T) {
	dc := sambatest.Shared(t)
	const wrong = "Not-The-Pa55word!"
	cfg := kerberosConfig(dc)
	cfg.Password = secret.New(wrong)
	_, err := open(t, cfg).RootDSE(testContext(t))
	var te *actions.TransportError
	if !errors.As(err, &te) || te.Kind != actions.KindAuth || te.Class != actions.Permanent || te.Op != "bind" || te.Host != dc.Addr(sambatest.PortLDAP) {
		t.Errorf("wrong password: %v, want a permanent auth failure of the bind at %s", err, dc.Addr(sambatest.PortLDAP))
	}
	if err == nil || !strings.Contains(err.Error(), "ldap/"+sambatest.FQDN) || strings.Contains(err.Error(), wrong) {
		t.Errorf("wrong password: %v, want the SPN named and the password left out", err)
	}

	cfg = kerberosConfig(dc)
	cfg.Password = secret.New(dc.AdminPassword())
	cfg.Kerberos.SPN = "ldap/nobody.lab.example.test"
	if _, err := open(t, cfg).RootDSE(testContext(t)); actions.KindOf(err) != actions.KindAuth || actions.IsRetryable(err) {
		t.Errorf("unknown SPN: %v, want a permanent auth failure", err)
	}

	cfg = kerberosConfig(dc)
	cfg.Password = secret.New(dc.AdminPassword())
	cfg.URL, cfg.GCURL = dc.LDAPSURL(), dc.GCSURL()
	_, err = open(t, cfg).RootDSE(testContext(t))
	if actions.KindOf(err) != actions.KindAuth || actions.IsRetryable(err) || err == nil || !strings.Contains(err.Error(), "ldap:// URL without start_tls") {
		t.Errorf("Kerberos inside TLS on a default Samba: %v, want a permanent auth failure that says to use sealed LDAP", err)
	}

	cfg = kerberosConfig(dc)
	cfg.Password = secret.New(dc.AdminPassword())
	cfg.ServerName = ""
	if _, err := ldap.New(cfg); err == nil || !strings.Contains(err.Error(), "server name") {
		t.Errorf("a DC named by its address alone: %v, want the configuration refused", err)
	}
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

func lowerSorted(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(v)
	}
	slices.Sort(out)
	return out
}

// TestKerberosBindInsideTLS binds with Kerberos inside TLS against a Samba
// DC that allows what Active Directory allows there, a SASL bind without a
// security layer ("ldap server require strong auth = allow_sasl_over_tls";
// AD refuses a layer inside TLS): over LDAPS and StartTLS, the
// authentication bound to the DC's certificate, and the Directory works
// through it.
func TestKerberosBindInsideTLS(t *testing.T) {
	dc := sambatest.StartWith(t, map[string]string{"ldap server require strong auth": "allow_sasl_over_tls"})
	for i, mode := range []struct {
		name, url, gc string
		startTLS      bool
	}{
		{"ldaps", dc.LDAPSURL(), dc.GCSURL(), false},
		{"starttls", dc.LDAPURL(), dc.GCURL(), true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			cfg := kerberosConfig(dc)
			cfg.URL, cfg.GCURL, cfg.StartTLS = mode.url, mode.gc, mode.startTLS
			cfg.Password = secret.New(dc.AdminPassword())
			exerciseDirectory(t, dc, open(t, cfg), "TLS"+string(rune('A'+i)))
		})
	}
}
