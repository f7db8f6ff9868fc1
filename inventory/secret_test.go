package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"
)

// recognisable is a secret that would be easy to spot wherever it leaked.
const recognisable = "Sup3r-Secret-Value-7731"

// TestInventoryNeverRendersSecrets loads an inventory whose passwords come
// from env() and file() and prints it every way a program might.
func TestInventoryNeverRendersSecrets(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pw.txt"), recognisable+"-file")
	writeFile(t, filepath.Join(dir, "inventory.hcl"), `
winrm {
  username = "CORP\\svc"
  password = env("PW")
}
domain "corp.example.com" {
  ldap {
    url      = "ldaps://dc01.corp.example.com"
    password = file("pw.txt")
  }
}
host "ex01" {
  fqdn   = "ex01.corp.example.com"
  domain = "corp.example.com"
  winrm { password = env("PW") }
}
`)
	inv, diags := Load(filepath.Join(dir, "inventory.hcl"), secretEnv)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	w, _ := inv.WinRM("ex01")
	d, _ := inv.Domain("corp.example.com")
	if w.Password.Reveal() != recognisable || d.LDAP.Password.Reveal() != recognisable+"-file" {
		t.Fatalf("the secrets did not load")
	}

	var outputs []string
	for _, v := range []any{inv, *inv, w, d, *d.LDAP, inv.Domains(), inv.Hosts()} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			outputs = append(outputs, fmt.Sprintf(format, v))
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", v, err)
		}
		outputs = append(outputs, string(b))
	}
	var logBuf bytes.Buffer
	log := zerolog.New(&logBuf)
	log.Debug().Interface("inventory", inv).Object("winrm", w).Object("ldap", d.LDAP).Any("domain", d).Msg("loaded")
	outputs = append(outputs, logBuf.String())
	for _, out := range outputs {
		if strings.Contains(out, recognisable) {
			t.Errorf("secret rendered: %s", out)
		}
	}
	if !strings.Contains(logBuf.String(), "(sensitive)") {
		t.Errorf("log does not show the password as (sensitive): %s", logBuf.String())
	}
}

// TestDiagnosticsNeverRenderSecrets writes attributes that fail in every way
// a secret from env() can make them fail, and checks the rendered
// diagnostics.
func TestDiagnosticsNeverRenderSecrets(t *testing.T) {
	attrs := []struct {
		block, attr string
	}{
		{block: "winrm", attr: `password = [env("PW")]`},
		{block: "winrm", attr: `password = { value = env("PW") }`},
		{block: "winrm", attr: `password = env("PW") + 1`},
		{block: "winrm", attr: `password = tonumber(env("PW"))`},
		{block: "winrm", attr: `password = tobool(env("PW"))`},
		{block: "winrm", attr: `password = jsondecode(env("PW"))`},
		{block: "winrm", attr: `password = regex(env("PW"), "x")`},
		{block: "winrm", attr: `password = file(env("PW"))`},
		{block: "winrm", attr: `password = env(env("PW"))`},
		{block: "winrm", attr: `password = env("PW") ? "a" : "b"`},
		{block: "winrm", attr: `password = { a = 1 }[env("PW")]`},
		{block: "winrm", attr: `password = duration(env("PW"))`},
		{block: "winrm", attr: `port = env("PW")`},
		{block: "winrm", attr: `https = env("PW")`},
		{block: "winrm", attr: `auth = env("PW")`},
		{block: "winrm", attr: `timeout = env("PW")`},
		{block: "winrm", attr: `ca_file = env("PW")`},
		{block: "host", attr: `address = env("PW")`},
		{block: "host", attr: `domain = env("PW")`},
		{block: "host", attr: `vars = { pw = env("PW") }`},
		{block: "host", attr: `groups = [env("PW")]`},
		{block: "ldap", attr: `url = env("PW")`},
		{block: "ldap", attr: `base_dn = env("PW")`},
		{block: "ldap", attr: `password = [env("PW")]`},
	}
	for _, tt := range attrs {
		t.Run(tt.attr, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "inventory.hcl")
			var src string
			switch tt.block {
			case "winrm":
				src = fmt.Sprintf("winrm {\n  %s\n}\nhost \"ex01\" { fqdn = \"ex01.corp.example.com\" }\n", tt.attr)
			case "host":
				src = fmt.Sprintf("host \"ex01\" {\n  fqdn = \"ex01.corp.example.com\"\n  %s\n}\n", tt.attr)
			case "ldap":
				src = fmt.Sprintf("domain \"corp.example.com\" {\n  ldap {\n    url = \"ldaps://dc01.corp.example.com\"\n  }\n}\ndomain \"b.example.com\" {\n  ldap {\n    %s\n  }\n}\n", tt.attr)
			}
			writeFile(t, path, src)
			inv, diags := Load(path, secretEnv)
			if !diags.HasErrors() {
				t.Fatalf("no error for %s (inventory %v)", tt.attr, inv)
			}
			var buf bytes.Buffer
			files := map[string]*hcl.File{path: {Bytes: []byte(src)}}
			if err := hcl.NewDiagnosticTextWriter(&buf, files, 80, false).WriteDiagnostics(diags); err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{buf.String(), diags.Error(), fmt.Sprintf("%+v", diags), fmt.Sprintf("%#v", diags)} {
				if strings.Contains(out, recognisable) {
					t.Errorf("a diagnostic reveals the secret:\n%s", out)
				}
			}
		})
	}
}

func secretEnv(name string) (string, bool) {
	if name == "PW" {
		return recognisable, true
	}
	return "", false
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
