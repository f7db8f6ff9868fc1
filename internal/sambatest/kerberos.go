package sambatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// ServiceAccount creates the computer account of a Windows host that
// serves HTTP (WinRM) as a domain member has it: a machine password, the
// AES encryption types (msDS-SupportedEncryptionTypes 0x18; without it a
// KDC issues only RC4 tickets for the account, as AD does) and the SPN
// HTTP/<fqdn> for each of fqdns (ComputerFQDN(name) when none are given).
// It exports the SPNs' keys to a keytab, as the host's service would hold
// them, and returns the keytab's path.
func (dc *DC) ServiceAccount(t testing.TB, name string, fqdns ...string) string {
	t.Helper()
	dc.CreateComputer(t, name)
	dc.SambaTool(t, "user", "setpassword", name+"$", "--newpassword="+name+"-Machine-Pa55!")
	mod := goldap.NewModifyRequest(ComputerDN(name), nil)
	mod.Replace("msDS-SupportedEncryptionTypes", []string{"24"})
	if err := dc.Admin(t).Modify(mod); err != nil {
		t.Fatalf("set the encryption types of %s: %v", name, err)
	}
	if len(fqdns) == 0 {
		fqdns = []string{ComputerFQDN(name)}
	}
	path := filepath.Join(t.TempDir(), strings.ToLower(name)+".keytab")
	for _, fqdn := range fqdns {
		spn := "HTTP/" + fqdn
		dc.AddSPN(t, spn, name+"$")
		// Each export adds the SPN's keys to the file.
		dc.SambaTool(t, "domain", "exportkeytab", path, "--principal="+spn)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("samba-tool wrote no keytab for %v: %v", fqdns, err)
	}
	return path
}

// Krb5Conf writes a krb5.conf that points MIT Kerberos (kinit, GSSAPI) at
// the DC's KDC and returns its path.
func (dc *DC) Krb5Conf(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "krb5.conf")
	conf := fmt.Sprintf(`[libdefaults]
  default_realm = %s
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  forwardable = true
[realms]
  %s = {
    kdc = %s
  }
[domain_realm]
  .%s = %s
`, Realm, Realm, dc.KDCAddress(), DNSName, Realm)
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Kinit gets Administrator a forwardable TGT with MIT's kinit into a
// credential cache of the test's own and returns the cache's name
// (FILE:<path>), for KRB5CCNAME.
func (dc *DC) Kinit(t testing.TB, krb5Conf string) string {
	t.Helper()
	ccache := "FILE:" + filepath.Join(t.TempDir(), "krb5cc")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kinit := testenv.LookPath(t, "kinit", "krb5-user")
	cmd := exec.CommandContext(ctx, kinit, "-f", "Administrator@"+Realm)
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+krb5Conf, "KRB5CCNAME="+ccache)
	cmd.Stdin = strings.NewReader(AdminPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit: %v\n%s", err, out)
	}
	return ccache
}

// dcSPNs are the service principals a domain controller registers for its
// directory service, which Kerberos binds to LDAP ask tickets for: those of
// Samba's spn_update_list (what samba_spnupdate, run by the dnsupdate
// service a Windows DC's Netlogon matches, adds; the test DC runs neither)
// for the LDAP and Global Catalog services.
var dcSPNs = []string{
	"ldap/" + FQDN,
	"ldap/" + FQDN + "/" + DNSName,
	"ldap/" + FQDN + "/" + Domain,
	"ldap/" + strings.ToUpper(HostName),
	"GC/" + FQDN + "/" + DNSName,
}

// registerDCSPNs gives the DC's account its directory service SPNs.
func (dc *DC) registerDCSPNs() error {
	pem, err := os.ReadFile(dc.PKI.CAFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return errors.New("the test CA file holds no certificate")
	}
	conn, err := goldap.DialURL(dc.LDAPSURL(), goldap.DialWithTLSConfig(&tls.Config{RootCAs: pool, ServerName: FQDN}))
	if err != nil {
		return fmt.Errorf("dial %s: %w", dc.LDAPSURL(), err)
	}
	defer conn.Close()
	if err := conn.Bind(dc.AdminUPN(), AdminPassword); err != nil {
		return fmt.Errorf("bind as administrator: %w", err)
	}
	mod := goldap.NewModifyRequest("CN="+strings.ToUpper(HostName)+",OU=Domain Controllers,"+BaseDN, nil)
	mod.Add("servicePrincipalName", dcSPNs)
	if err := conn.Modify(mod); err != nil {
		return fmt.Errorf("register the DC's SPNs: %w", err)
	}
	return nil
}
