package discover

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/inventory"
)

// TestWriteAnsibleYAML compares the Ansible inventory written with its
// golden file, and checks that it loads to the same inventory as the HCL
// one Write makes of the same discovery.
func TestWriteAnsibleYAML(t *testing.T) {
	r := &Result{Domain: "corp.example.com", Hosts: []Host{
		{Name: "ex01", DirectoryName: "EX01", FQDN: "ex01.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"exchange", "dc"}},
		{Name: "ex02", DirectoryName: "Exchange \"Two\"\n", FQDN: "ex02.corp.example.com", Address: "10.0.0.6", Domain: "corp.example.com", Site: "Branch Office", Groups: []string{"exchange"}},
		{Name: "ex02-2", DirectoryName: "EX02", FQDN: "ex02.emea.corp.example.com", Domain: "emea.corp.example.com", Groups: []string{"exchange"}},
		{Name: "dc09", DirectoryName: "DC09", FQDN: "dc09.emea.corp.example.com", Domain: "emea.corp.example.com", Groups: []string{"dc"}},
	}}
	for _, tc := range []struct {
		name string
		s    Settings
	}{
		{"minimal", Settings{WinRM: WinRM{HTTPS: true}, LDAP: LDAP{URL: "ldaps://dc01.corp.example.com", BindUser: "svc@corp.example.com"}}},
		{"full", Settings{
			WinRM:      WinRM{HTTPS: true, Port: 5999, PasswordEnv: "WINRM_PASS", CAFile: "/etc/pki/corp-ca.pem"},
			LDAP:       LDAP{URL: "ldap://dc01.corp.example.com", StartTLS: true, GCURL: "ldap://dc01.corp.example.com:3268", BindUser: `CORP\svc-rectify`, PasswordEnv: "LDAP_PASS", CAFile: "/etc/pki/corp-ca.pem", ServerName: "dc01.corp.example.com"},
			SiteGroups: true,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := WriteAnsibleYAML(r, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".yml")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("WriteAnsibleYAML (-golden +got):\n%s", diff)
			}
			if tc.s.LDAP.CAFile != "" {
				return // the CA file of "full" does not exist here
			}
			dir := t.TempDir()
			hclOut, err := Write(r, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range map[string][]byte{"inventory.yml": out, "inventory.hcl": hclOut} {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			yml, diags := inventory.Load(filepath.Join(dir, "inventory.yml"), fakeEnv)
			if diags.HasErrors() {
				t.Fatalf("the Ansible inventory does not load: %s", diags.Error())
			}
			hcl, diags := inventory.Load(filepath.Join(dir, "inventory.hcl"), fakeEnv)
			if diags.HasErrors() {
				t.Fatalf("the HCL inventory does not load: %s", diags.Error())
			}
			if diff := cmp.Diff(hcl.Hosts(), yml.Hosts()); diff != "" {
				t.Errorf("hosts (-hcl +ansible):\n%s", diff)
			}
			if diff := cmp.Diff(hcl.Domains(), yml.Domains()); diff != "" {
				t.Errorf("domains (-hcl +ansible):\n%s", diff)
			}
			for _, n := range hcl.HostNames() {
				a, _ := hcl.WinRM(n)
				b, _ := yml.WinRM(n)
				if diff := cmp.Diff(a, b); diff != "" {
					t.Errorf("WinRM of %s (-hcl +ansible):\n%s", n, diff)
				}
			}
		})
	}
}
