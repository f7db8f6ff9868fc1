package inventory

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
)

// testEnv is the environment the fixtures are loaded with.
var testEnv = map[string]string{
	"RECTIFY_WINRM_USER":     "CORP\\svc-rectify",
	"RECTIFY_WINRM_PASSWORD": "winrm-secret-value",
	"RECTIFY_LAB_PASSWORD":   "lab-secret-value",
	"RECTIFY_DC02_PASSWORD":  "dc02-secret-value",
}

func lookupTestEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

func mustLoad(t *testing.T, path string) *Inventory {
	t.Helper()
	inv, diags := Load(path, lookupTestEnv)
	if diags.HasErrors() {
		t.Fatalf("Load(%s): %s", path, diags.Error())
	}
	return inv
}

func TestLoadValid(t *testing.T) {
	inv := mustLoad(t, "testdata/valid/corp.hcl")

	wantHosts := []actions.Host{
		{Name: "ex01", FQDN: "ex01.corp.example.com", Domain: "corp.example.com", Site: "HQ",
			Groups: []string{"exchange", "hq"}, Vars: map[string]string{"role": "mailbox"}, Session: actions.Session{Auth: "ntlm", Credential: true}},
		{Name: "ex02", FQDN: "ex02.corp.example.com", Address: "192.0.2.12", Domain: "corp.example.com", Site: "Branch",
			Groups: []string{"exchange"}, Vars: map[string]string{"role": "exchange"}, Session: actions.Session{Auth: "ntlm", Credential: true}},
		{Name: "dc01", FQDN: "dc01.corp.example.com", Domain: "corp.example.com", Site: "HQ",
			Groups: []string{"hq", "dc"}, Vars: map[string]string{"role": "dc", "tier": "zero"}, Session: actions.Session{Auth: "ntlm", Credential: true}},
		{Name: "dc02", FQDN: "dc02.corp.example.com", Domain: "corp.example.com", Site: "Branch",
			Groups: []string{"dc"}, Vars: map[string]string{"role": "dc", "tier": "0"}, Session: actions.Session{Auth: "basic", Credential: true}},
	}
	if diff := cmp.Diff(wantHosts, inv.Hosts()); diff != "" {
		t.Errorf("Hosts() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dc", "exchange", "hq"}, inv.Groups()); diff != "" {
		t.Errorf("Groups() mismatch (-want +got):\n%s", diff)
	}

	caPath, err := filepath.Abs("testdata/pki/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(caPath)
	if err != nil {
		t.Fatal(err)
	}
	winrmPassword := secret.New("winrm-secret-value")
	wantWinRM := map[string]WinRMSettings{
		"ex01": {Host: "ex01.corp.example.com", Port: 5986, HTTPS: true, Auth: "ntlm", Encryption: "auto",
			Username: "CORP\\svc-rectify", Password: winrmPassword, CAFile: caPath, CAPEM: caPEM, Timeout: time.Minute,
			UsernameEnv: []string{"RECTIFY_WINRM_USER"}, PasswordEnv: []string{"RECTIFY_WINRM_PASSWORD"}},
		"ex02": {Host: "192.0.2.12", Port: 5985, HTTPS: false, Auth: "ntlm", Encryption: "auto", ServerName: "ex02.corp.example.com",
			Username: "CORP\\svc-rectify", Password: winrmPassword, CAFile: caPath, CAPEM: caPEM, Timeout: time.Minute,
			UsernameEnv: []string{"RECTIFY_WINRM_USER"}, PasswordEnv: []string{"RECTIFY_WINRM_PASSWORD"}},
		"dc01": {Host: "dc01.corp.example.com", Port: 15986, HTTPS: true, Auth: "ntlm", Encryption: "auto",
			Username: "CORP\\svc-rectify", Password: winrmPassword, CAFile: caPath, CAPEM: caPEM, Timeout: 2 * time.Minute,
			UsernameEnv: []string{"RECTIFY_WINRM_USER"}, PasswordEnv: []string{"RECTIFY_WINRM_PASSWORD"}},
		"dc02": {Host: "dc02.corp.example.com", Port: 15986, HTTPS: true, Auth: "basic", Encryption: "auto",
			Username: "CORP\\rectify", Password: secret.New("dc02-secret-value"), CAFile: caPath, CAPEM: caPEM, Timeout: 2 * time.Minute,
			PasswordEnv: []string{"RECTIFY_DC02_PASSWORD"}},
	}
	for name, want := range wantWinRM {
		got, ok := inv.WinRM(name)
		if !ok {
			t.Errorf("WinRM(%q) not found", name)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("WinRM(%q) mismatch (-want +got):\n%s", name, diff)
		}
	}
	if _, ok := inv.WinRM("nope"); ok {
		t.Errorf("WinRM(nope) found a host")
	}

	wantDomains := []Domain{
		{Name: "corp.example.com", LDAP: &LDAPSettings{
			URL: "ldaps://dc01.corp.example.com:636", BaseDN: "DC=corp,DC=example,DC=com", Auth: LDAPAuthSimple,
			BindUser: "svc-rectify@corp.example.com", Password: secret.New("ldap-secret-from-file"),
			CAFile: caPath, CAPEM: caPEM, Timeout: 10 * time.Second}},
		{Name: "lab.example.net", LDAP: &LDAPSettings{
			URL: "ldap://dc01.lab.example.net", BaseDN: "DC=lab,DC=example,DC=net", StartTLS: true, Auth: LDAPAuthSimple,
			Password: secret.New("lab-secret-value"), Timeout: DefaultLDAPTimeout, PasswordEnv: []string{"RECTIFY_LAB_PASSWORD"}}},
		{Name: "branch.example.com"},
	}
	if diff := cmp.Diff(wantDomains, inv.Domains()); diff != "" {
		t.Errorf("Domains() mismatch (-want +got):\n%s", diff)
	}
	if d, ok := inv.Domain("CORP.example.com."); !ok || d.Name != "corp.example.com" {
		t.Errorf("Domain(CORP.example.com.) = %v, %v", d, ok)
	}

	src, err := os.ReadFile("testdata/valid/corp.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inv.Digest(), digestOf(src); got != want {
		t.Errorf("Digest() = %s, want %s", got, want)
	}
}

func TestLoadCopiesAreIndependent(t *testing.T) {
	inv := mustLoad(t, "testdata/valid/corp.hcl")
	h, _ := inv.Host("ex01")
	h.Groups[0] = "changed"
	h.Vars["role"] = "changed"
	again, _ := inv.Host("ex01")
	if again.Groups[0] != "exchange" || again.Vars["role"] != "mailbox" {
		t.Errorf("changing a returned host changed the inventory: %+v", again)
	}
}

func TestLoadWarnings(t *testing.T) {
	inv, diags := Load("testdata/warnings.hcl", lookupTestEnv)
	if inv == nil {
		t.Fatalf("Load returned no inventory: %s", diags.Error())
	}
	var got []string
	for _, d := range diags {
		if d.Severity != hcl.DiagWarning {
			t.Errorf("unexpected error: %s", d.Error())
			continue
		}
		got = append(got, d.Summary)
	}
	want := []string{"Password written in the inventory", "TLS verification disabled", "Password written in the inventory"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
	w, _ := inv.WinRM("ex01")
	if w.Password.Reveal() != "literal-password" {
		t.Errorf("literal password not kept: got %d bytes", len(w.Password.Reveal()))
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.hcl")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name, path string
	}{
		{name: "missing", path: filepath.Join(dir, "missing.hcl")},
		{name: "directory", path: dir},
		{name: "too large", path: big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := Load(tt.path, lookupTestEnv)
			if inv != nil || !diags.HasErrors() {
				t.Fatalf("Load(%s) = %v, %v; want an error", tt.path, inv, diags)
			}
			if got := diags[0].Summary; got != "Cannot read the inventory" {
				t.Errorf("summary = %q", got)
			}
		})
	}
}
