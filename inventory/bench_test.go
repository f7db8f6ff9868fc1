package inventory

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoad loads an inventory of 1000 hosts in 20 groups, with WinRM
// defaults, a group override and passwords from env().
func BenchmarkLoad(b *testing.B) {
	var src strings.Builder
	src.WriteString("winrm {\n  username = \"u\"\n  password = env(\"RECTIFY_WINRM_PASSWORD\")\n}\n")
	src.WriteString("domain \"corp.example.com\" {\n  ldap {\n    url = \"ldaps://dc01.corp.example.com\"\n  }\n}\n")
	for g := range 20 {
		fmt.Fprintf(&src, "group \"g%d\" {\n  vars = { tier = \"%d\" }\n  winrm { port = %d }\n}\n", g, g, 6000+g)
	}
	for h := range 1000 {
		fmt.Fprintf(&src, "host \"h%d\" {\n  fqdn = \"h%d.corp.example.com\"\n  domain = \"corp.example.com\"\n  site = \"S%d\"\n  groups = [\"g%d\", \"all\"]\n}\n", h, h, h%7, h%20)
	}
	path := filepath.Join(b.TempDir(), "inventory.hcl")
	writeFile(b, path, src.String())
	b.SetBytes(int64(src.Len()))
	b.ReportAllocs()
	for b.Loop() {
		inv, diags := Load(path, lookupTestEnv)
		if diags.HasErrors() || len(inv.HostNames()) != 1000 {
			b.Fatalf("Load: %v", diags)
		}
	}
}

// BenchmarkSelect selects with globs, groups and exclusions over 1000 hosts.
func BenchmarkSelect(b *testing.B) {
	inv := &Inventory{byName: map[string]*host{}}
	for i := range 1000 {
		h := &host{}
		h.facts.Name = fmt.Sprintf("h%d", i)
		h.facts.Groups = []string{fmt.Sprintf("g%d", i%20)}
		inv.hosts = append(inv.hosts, h)
		inv.byName[h.facts.Name] = h
	}
	for b.Loop() {
		if _, err := inv.Select("group:g1*,h9*,!h99*,!group:g12"); err != nil {
			b.Fatal(err)
		}
	}
}
