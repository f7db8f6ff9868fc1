package inventory

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

// TestLDAPKerberosSettings decodes a Kerberos bind over sealed plain LDAP
// (no start_tls: the Kerberos context seals it) and one inside TLS, with
// tickets from a credential cache or a keytab.
func TestLDAPKerberosSettings(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "svc.keytab"), "keytab bytes")
	writeFile(t, filepath.Join(dir, "inventory.hcl"), `
domain "corp.example.com" {
  ldap {
    url              = "ldap://dc01.corp.example.com"
    auth             = "kerberos"
    credential_cache = env("KRB5CCNAME")
  }
}
domain "emea.corp.example.com" {
  ldap {
    url       = "ldaps://dc05.emea.corp.example.com"
    auth      = "kerberos"
    bind_user = "svc-rectify@CORP.EXAMPLE.COM"
    keytab    = "svc.keytab"
    realm     = "CORP.EXAMPLE.COM"
    kdcs      = ["dc01.corp.example.com"]
    spn       = "ldap/dc05.emea.corp.example.com"
  }
}
host "ex01" { fqdn = "ex01.corp.example.com" }
`)
	inv, diags := Load(filepath.Join(dir, "inventory.hcl"), func(name string) (string, bool) {
		return map[string]string{"KRB5CCNAME": "FILE:/tmp/krb5cc_1000"}[name], name == "KRB5CCNAME"
	})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := map[string]LDAPSettings{
		"corp.example.com": {URL: "ldap://dc01.corp.example.com", BaseDN: "DC=corp,DC=example,DC=com", Auth: LDAPAuthKerberos,
			Kerberos: KerberosSettings{CredentialCache: "FILE:/tmp/krb5cc_1000"}, Timeout: DefaultLDAPTimeout},
		"emea.corp.example.com": {URL: "ldaps://dc05.emea.corp.example.com", BaseDN: "DC=emea,DC=corp,DC=example,DC=com", Auth: LDAPAuthKerberos,
			BindUser: "svc-rectify@CORP.EXAMPLE.COM", Timeout: DefaultLDAPTimeout,
			Kerberos: KerberosSettings{Realm: "CORP.EXAMPLE.COM", KDCs: []string{"dc01.corp.example.com"},
				Keytab: filepath.Join(dir, "svc.keytab"), SPN: "ldap/dc05.emea.corp.example.com"}},
	}
	for name, w := range want {
		d, ok := inv.Domain(name)
		if !ok || d.LDAP == nil {
			t.Fatalf("no ldap settings for %s", name)
		}
		if diff := cmp.Diff(w, *d.LDAP); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestLDAPNegotiateOnWindows: where rectify can use the logged-on Windows
// user's credentials, an ldap block with auth "negotiate" and no
// credential loads; the error fixtures show it refused elsewhere.
func TestLDAPNegotiateOnWindows(t *testing.T) {
	defer func(was bool) { sspiAvailable = was }(sspiAvailable)
	sspiAvailable = true
	path := filepath.Join(t.TempDir(), "inventory.hcl")
	writeFile(t, path, `
domain "corp.example.com" {
  ldap {
    url  = "ldaps://dc01.corp.example.com"
    auth = "negotiate"
  }
}
`)
	inv := mustLoad(t, path)
	if d, _ := inv.Domain("corp.example.com"); d.LDAP == nil || d.LDAP.Auth != LDAPAuthNegotiate {
		t.Errorf("ldap settings %+v, want auth negotiate", d.LDAP)
	}
}

// TestWinRMNegotiateOnWindows: where rectify can use the logged-on Windows
// user's credentials, a winrm block with auth "negotiate" and no
// credential loads, with delegation when asked; the error fixtures show it
// refused elsewhere.
func TestWinRMNegotiateOnWindows(t *testing.T) {
	defer func(was bool) { sspiAvailable = was }(sspiAvailable)
	sspiAvailable = true
	path := filepath.Join(t.TempDir(), "inventory.hcl")
	writeFile(t, path, `
winrm {
  https = false
  auth  = "negotiate"
}
host "ex01" { fqdn = "ex01.corp.example.com" }
host "ex02" {
  fqdn = "ex02.corp.example.com"
  winrm {
    delegate = true
  }
}
`)
	inv, diags := Load(path, lookupTestEnv)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := map[string]actions.Session{
		"ex01": {Auth: AuthNegotiate},
		"ex02": {Auth: AuthNegotiate, Delegation: true},
	}
	for _, h := range inv.Hosts() {
		if diff := cmp.Diff(want[h.Name], h.Session); diff != "" {
			t.Errorf("%s session (-want +got):\n%s", h.Name, diff)
		}
		if w, _ := inv.WinRM(h.Name); !w.Sealed() || w.Username != "" || w.Password.IsSet() {
			t.Errorf("%s: %+v, want sealed HTTP without a credential", h.Name, w)
		}
	}
}
