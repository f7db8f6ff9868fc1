package discover

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rectifyhq/rectify/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestWriteGolden(t *testing.T) {
	r := &Result{Domain: "corp.example.com", Hosts: []Host{
		{Name: "ex01", DirectoryName: "EX01", FQDN: "ex01.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"exchange", "dc"}},
		{Name: "ex02", DirectoryName: "Exchange \"Two\"\n", FQDN: "ex02.corp.example.com", Address: "10.0.0.6", Domain: "corp.example.com", Site: "Branch Office", Groups: []string{"exchange"}},
		{Name: "dc09", DirectoryName: "DC09", FQDN: "dc09.emea.corp.example.com", Domain: "emea.corp.example.com", Groups: []string{"dc"}},
	}}
	for _, tc := range []struct {
		name string
		s    Settings
	}{
		{"minimal", Settings{LDAP: LDAP{URL: "ldaps://dc01.corp.example.com"}}},
		{"kerberos", Settings{WinRM: WinRM{Auth: WinRMAuthKerberos}, LDAP: LDAP{URL: "ldaps://dc01.corp.example.com"}}},
		{"full", Settings{
			WinRM:      WinRM{HTTPS: true, Port: 5999, UserEnv: "WINRM_USER", PasswordEnv: "WINRM_PASS", CAFile: "/etc/pki/corp-ca.pem"},
			LDAP:       LDAP{URL: "ldap://dc01.corp.example.com", StartTLS: true, GCURL: "ldap://dc01.corp.example.com:3268", BindUser: `CORP\svc-rectify`, PasswordEnv: "LDAP_PASS", CAFile: "/etc/pki/corp-ca.pem", ServerName: "dc01.corp.example.com"},
			SiteGroups: true,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Write(r, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".hcl")
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
				t.Errorf("Write (-golden +got):\n%s", diff)
			}
			// The CA file of "full" does not exist here: check the rest.
			if tc.s.LDAP.CAFile != "" {
				return
			}
			path := filepath.Join(t.TempDir(), "inventory.hcl")
			if err := os.WriteFile(path, out, 0o600); err != nil {
				t.Fatal(err)
			}
			inv, diags := inventory.Load(path, fakeEnv)
			if diags.HasErrors() {
				t.Fatalf("golden %s does not load: %s", tc.name, diags.Error())
			}
			// The hosts are reached as a default Windows server listens:
			// HTTP, messages sealed by the logon's session.
			w, _ := inv.WinRM("ex01")
			wantW := inventory.WinRMSettings{Port: 5985, HTTPS: false, Auth: "ntlm", Encryption: "auto"}
			if tc.s.WinRM.Auth == WinRMAuthKerberos {
				wantW.Auth = "kerberos"
				wantW.Kerberos = inventory.KerberosSettings{Realm: "CORP.EXAMPLE.COM", KDCs: []string{"ex01.corp.example.com"}}
			}
			got := inventory.WinRMSettings{Port: w.Port, HTTPS: w.HTTPS, Auth: w.Auth, Encryption: w.Encryption, Kerberos: w.Kerberos}
			if diff := cmp.Diff(wantW, got); diff != "" || !w.Sealed() {
				t.Errorf("%s: winrm settings (-want +got):\n%s (sealed %v)", tc.name, diff, w.Sealed())
			}
		})
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"EX01":                "ex01",
		"ex-01":               "ex-01",
		"1ex":                 "host-1ex",
		"":                    "host",
		"\u0435\u044501":      "host-01", // Cyrillic е, х
		`x"; } host "evil`:    "x-host-evil",
		"*)(|(objectClass=*)": "objectclass",
		"Site Name\x00\n":     "site-name",
		"___":                 "host",
		"émile":               "mile",
		"a-very-long-name-that-goes-on-and-on-and-on-past-the-dns-label-limit": "a-very-long-name-that-goes-on-and-on-and-on-past-the-dns-label",
	} {
		got := SafeName(in)
		if got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
		if !hclsyntax.ValidIdentifier(got) {
			t.Errorf("SafeName(%q) = %q, not an HCL identifier", in, got)
		}
	}
	n := nameSet{}
	var got []string
	for _, s := range []string{"EX01", "ex01", "ex-01", "EX01"} {
		got = append(got, n.unique(s))
	}
	if diff := cmp.Diff([]string{"ex01", "ex01-2", "ex-01", "ex01-3"}, got); diff != "" {
		t.Errorf("unique names (-want +got):\n%s", diff)
	}
}
