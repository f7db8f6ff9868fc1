package inventory

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/plans"
)

// TestAnsibleInventoriesEqualHCL loads an Ansible YAML and an INI
// inventory written to describe the hosts of an HCL one, and checks that
// rectify sees the same inventory in all three: hosts, facts, groups, how
// each host is reached, the domains, and so the same evaluated digest.
func TestAnsibleInventoriesEqualHCL(t *testing.T) {
	env := func(name string) (string, bool) {
		v, ok := map[string]string{
			"RECTIFY_WINRM_USER": "CORP\\svc-rectify", "RECTIFY_WINRM_PASSWORD": "winrm-secret",
			"RECTIFY_LDAP_PASSWORD": "ldap-secret", "RECTIFY_DC02_PASSWORD": "dc02-secret",
		}[name]
		return v, ok
	}
	want, diags := Load("testdata/ansible/corp.hcl", env)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	salt := plans.Salt(bytes.Repeat([]byte{3}, plans.SaltSize))
	for _, file := range []string{"corp.yml", "corp.ini"} {
		t.Run(file, func(t *testing.T) {
			got, diags := Load(filepath.Join("testdata/ansible", file), env)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if diff := cmp.Diff(want.Hosts(), got.Hosts()); diff != "" {
				t.Errorf("hosts (-hcl +ansible):\n%s", diff)
			}
			if diff := cmp.Diff(want.Groups(), got.Groups()); diff != "" {
				t.Errorf("groups (-hcl +ansible):\n%s", diff)
			}
			for _, name := range want.HostNames() {
				w, _ := want.WinRM(name)
				g, _ := got.WinRM(name)
				if diff := cmp.Diff(w, g); diff != "" {
					t.Errorf("WinRM settings of %s (-hcl +ansible):\n%s", name, diff)
				}
			}
			if diff := cmp.Diff(want.Domains(), got.Domains()); diff != "" {
				t.Errorf("domains (-hcl +ansible):\n%s", diff)
			}
			if want.EvaluatedDigest(salt) != got.EvaluatedDigest(salt) {
				t.Errorf("the evaluated digests differ")
			}
		})
	}
}

// TestAnsibleErrorFixtures loads the Ansible fixtures under
// testdata/ansible/errors and compares the diagnostics with their
// "# ERROR:" and "# WARNING:" markers: each on its line, all in one pass.
func TestAnsibleErrorFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/ansible/errors/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := markers(t, path)
			inv, diags := Load(path, lookupTestEnv)
			if inv != nil {
				t.Errorf("Load returned an inventory despite errors")
			}
			if diff := cmp.Diff(want, describe(diags)); diff != "" {
				t.Errorf("diagnostics mismatch (-markers +got):\n%s\nall diagnostics:\n%s", diff, diags.Error())
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	for _, tt := range []struct {
		path, src string
		want      inventoryFormat
	}{
		{"inv.hcl", "all:\n", formatHCL},
		{"hosts.yml", "", formatAnsibleYAML},
		{"hosts.yaml", "", formatAnsibleYAML},
		{"hosts.ini", "", formatAnsibleINI},
		{"hosts", "# comment\n---\nall:\n", formatAnsibleYAML},
		{"hosts", "\nall:\n  hosts:\n", formatAnsibleYAML},
		{"hosts", "; comment\n[exchange]\nex01\n", formatAnsibleINI},
		{"hosts", "ex01.corp.example.com ansible_host=192.0.2.1\n", formatAnsibleINI},
		{"inventory", "# HCL\nwinrm {\n", formatHCL},
		{"inventory", "host \"ex01\" {\n", formatHCL},
	} {
		if got := detectFormat(tt.path, []byte(tt.src)); got != tt.want {
			t.Errorf("detectFormat(%q, %q) = %d, want %d", tt.path, tt.src, got, tt.want)
		}
	}
}

func TestExpandHostPattern(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"ex01.corp.example.com", []string{"ex01.corp.example.com"}},
		{"ex[01:03].corp", []string{"ex01.corp", "ex02.corp", "ex03.corp"}},
		{"dc[1:5:2]", []string{"dc1", "dc3", "dc5"}},
		{"db-[a:c]", []string{"db-a", "db-b", "db-c"}},
		{"r[1:2]-[a:b]", []string{"r1-a", "r1-b", "r2-a", "r2-b"}},
		{"bad[3:1]", nil},
		{"bad[1:x]", nil},
		{"bad[1:2", nil},
	} {
		got, ok := expandHostPattern(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" || ok != (tt.want != nil) {
			t.Errorf("expandHostPattern(%q) = %v, %v (-want +got):\n%s", tt.in, got, ok, diff)
		}
	}
}
