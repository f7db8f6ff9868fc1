package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/plans"
)

// TestEvaluatedDigest: the digest follows what the inventory evaluates to,
// including values read with env() and file(), not its bytes; passwords
// do not count; and it is keyed by the plan's salt. (Host addresses cannot
// come from env(): the inventory refuses secrets in host facts.)
func TestEvaluatedDigest(t *testing.T) {
	salt := plans.Salt(bytes.Repeat([]byte{3}, plans.SaltSize))
	dir := t.TempDir()
	ca, err := os.ReadFile("testdata/pki/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", string(ca))
	// Another bundle: the same certificate twice is other bytes.
	write("other-ca.pem", string(ca)+string(ca))
	const src = `winrm {
  username = env("USER_NAME")
  password = env("PASSWORD")
  ca_file  = "ca.pem"
}
domain "corp.example.com" {
  ldap {
    url      = env("LDAP_URL")
    password = env("PASSWORD")
    ca_file  = env("LDAP_CA")
  }
}
host "ex01" {
  fqdn    = "ex01.corp.example.com"
  address = "192.0.2.11"
  domain  = "corp.example.com"
}
`
	base := map[string]string{"USER_NAME": "CORP\\svc", "PASSWORD": "pw-1", "LDAP_URL": "ldaps://dc01.corp.example.com", "LDAP_CA": "ca.pem"}
	digest := func(text string, env map[string]string) string {
		t.Helper()
		write("inventory.hcl", text)
		inv, diags := Load(filepath.Join(dir, "inventory.hcl"), func(n string) (string, bool) { v, ok := env[n]; return v, ok })
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		return inv.EvaluatedDigest(salt)
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	want := digest(src, base)
	if got := digest("# a comment\n"+src, base); got != want {
		t.Errorf("a comment changed the digest")
	}
	if got := digest(src, with("PASSWORD", "pw-2")); got != want {
		t.Errorf("a rotated password changed the digest")
	}
	for _, tc := range []struct{ name, key, value string }{
		{"LDAP URL", "LDAP_URL", "ldaps://elsewhere.example.net"},
		{"LDAP CA file", "LDAP_CA", "other-ca.pem"},
		{"user", "USER_NAME", "CORP\\other"},
	} {
		if got := digest(src, with(tc.key, tc.value)); got == want {
			t.Errorf("%s from env() changed, the digest did not", tc.name)
		}
	}
	write("ca.pem", string(ca)+string(ca))
	if got := digest(src, base); got == want {
		t.Errorf("the CA file's content changed, the digest did not")
	}
	write("ca.pem", string(ca))
	kerberos := strings.Replace(src, `    password = env("PASSWORD")
    ca_file`, `    auth      = "kerberos"
    bind_user = env("USER_NAME")
    password  = env("PASSWORD")
    ca_file`, 1)
	if got := digest(kerberos, base); got == want {
		t.Errorf("the LDAP bind mechanism changed, the digest did not")
	}
	write("inventory.hcl", src)
	inv, _ := Load(filepath.Join(dir, "inventory.hcl"), func(n string) (string, bool) { v, ok := base[n]; return v, ok })
	if inv.EvaluatedDigest(plans.Salt(bytes.Repeat([]byte{4}, plans.SaltSize))) == want {
		t.Errorf("two salts give one digest")
	}
	if strings.Contains(want, "pw-1") {
		t.Errorf("the digest shows the password")
	}
}
