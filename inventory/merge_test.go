package inventory

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMergeOrder checks that WinRM settings and vars merge as defaults <
// groups in declaration order < host, whichever way a host joined a group.
func TestMergeOrder(t *testing.T) {
	src := `
winrm {
  port    = 1001
  timeout = "10s"
}
group "late" {
  vars = { from = "late", late = "yes" }
  winrm { port = 1003 }
}
group "early" {
  hosts = ["both", "early_only", "override"]
  vars  = { from = "early", early = "yes" }
  winrm {
    port  = 1002
    https = false
  }
}
host "both" {
  fqdn   = "both.example.com"
  groups = ["late"]
}
host "early_only" {
  fqdn = "early.example.com"
}
host "override" {
  fqdn   = "override.example.com"
  groups = ["late", "other"]
  vars   = { from = "host" }
  winrm { port = 1004 }
}
host "none" {
  fqdn = "none.example.com"
}
`
	path := filepath.Join(t.TempDir(), "inventory.hcl")
	writeFile(t, path, src)
	inv := mustLoad(t, path)

	type merged struct {
		Port    int
		HTTPS   bool
		Timeout time.Duration
		Groups  []string
		Vars    map[string]string
	}
	want := map[string]merged{
		// late is declared before early, so early's settings win.
		"both":       {Port: 1002, HTTPS: false, Timeout: 10 * time.Second, Groups: []string{"late", "early"}, Vars: map[string]string{"from": "early", "late": "yes", "early": "yes"}},
		"early_only": {Port: 1002, HTTPS: false, Timeout: 10 * time.Second, Groups: []string{"early"}, Vars: map[string]string{"from": "early", "early": "yes"}},
		"override":   {Port: 1004, HTTPS: false, Timeout: 10 * time.Second, Groups: []string{"late", "other", "early"}, Vars: map[string]string{"from": "host", "late": "yes", "early": "yes"}},
		"none":       {Port: 1001, HTTPS: true, Timeout: 10 * time.Second},
	}
	for name, w := range want {
		h, _ := inv.Host(name)
		s, _ := inv.WinRM(name)
		got := merged{Port: s.Port, HTTPS: s.HTTPS, Timeout: s.Timeout, Groups: h.Groups, Vars: h.Vars}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("host %s (-want +got):\n%s", name, diff)
		}
	}
	if diff := cmp.Diff([]string{"late", "early", "other"}, inv.Groups()); diff != "" {
		t.Errorf("Groups() (-want +got):\n%s", diff)
	}
}

// TestDefaultPorts checks the port that follows from https when no block
// sets one.
func TestDefaultPorts(t *testing.T) {
	tests := []struct {
		winrm string
		want  WinRMSettings
	}{
		{winrm: ``, want: WinRMSettings{Host: "ex01.example.com", Port: 5986, HTTPS: true, Auth: "ntlm", Encryption: "auto", Timeout: time.Minute}},
		{winrm: `https = false`, want: WinRMSettings{Host: "ex01.example.com", Port: 5985, HTTPS: false, Auth: "ntlm", Encryption: "auto", Timeout: time.Minute}},
		{winrm: `https = false
		         port = 8080`, want: WinRMSettings{Host: "ex01.example.com", Port: 8080, HTTPS: false, Auth: "ntlm", Encryption: "auto", Timeout: time.Minute}},
		{winrm: `auth = "basic"
		         server_name = "alias.example.com"
		         username = "u"`, want: WinRMSettings{Host: "ex01.example.com", Port: 5986, HTTPS: true, Auth: "basic", Encryption: "auto", Username: "u", ServerName: "alias.example.com", Timeout: time.Minute}},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "inventory.hcl")
		writeFile(t, path, "winrm {\n"+tt.winrm+"\n}\nhost \"ex01\" { fqdn = \"ex01.example.com\" }\n")
		inv := mustLoad(t, path)
		got, _ := inv.WinRM("ex01")
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("winrm {%s} (-want +got):\n%s", tt.winrm, diff)
		}
	}
}

func TestEndpointAndTLS(t *testing.T) {
	inv := mustLoad(t, "testdata/valid/corp.hcl")
	tests := []struct {
		host, endpoint, serverName string
	}{
		{host: "ex01", endpoint: "https://ex01.corp.example.com:5986/wsman"},
		{host: "ex02", endpoint: "http://192.0.2.12:5985/wsman", serverName: "ex02.corp.example.com"},
		{host: "dc01", endpoint: "https://dc01.corp.example.com:15986/wsman"},
	}
	for _, tt := range tests {
		w, _ := inv.WinRM(tt.host)
		if got := w.Endpoint(); got != tt.endpoint {
			t.Errorf("%s: Endpoint() = %q, want %q", tt.host, got, tt.endpoint)
		}
		cfg, err := w.TLSConfig()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RootCAs == nil || cfg.ServerName != tt.serverName || cfg.InsecureSkipVerify {
			t.Errorf("%s: TLSConfig() = roots %v, server name %q, insecure %v", tt.host, cfg.RootCAs != nil, cfg.ServerName, cfg.InsecureSkipVerify)
		}
	}
	d, _ := inv.Domain("corp.example.com")
	cfg, err := d.LDAP.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServerName != "dc01.corp.example.com" || cfg.RootCAs == nil {
		t.Errorf("LDAP TLSConfig() server name %q, roots %v", cfg.ServerName, cfg.RootCAs != nil)
	}
	if ipv6 := (WinRMSettings{Host: "2001:db8::1", Port: 5986, HTTPS: true}).Endpoint(); ipv6 != "https://[2001:db8::1]:5986/wsman" {
		t.Errorf("IPv6 endpoint = %q", ipv6)
	}
}

// TestTransportSecurity checks when messages are encrypted with the NTLM
// session: over HTTP by default (a default Windows server requires it),
// not over HTTPS unless asked, never when plain HTTP is explicitly allowed.
func TestTransportSecurity(t *testing.T) {
	tests := []struct {
		winrm            string
		https, sealed    bool
		encryption       string
		allowUnencrypted bool
	}{
		{``, true, false, "auto", false},
		{`https = false`, false, true, "auto", false},
		{`encryption = "always"`, true, true, "always", false},
		{`https = false
		  encryption = "always"`, false, true, "always", false},
		{`https = false
		  encryption = "never"
		  allow_unencrypted = true`, false, false, "never", true},
		{`encryption = "never"`, true, false, "never", false},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "inventory.hcl")
		writeFile(t, path, "winrm {\n"+tt.winrm+"\n}\nhost \"ex01\" { fqdn = \"ex01.example.com\" }\n")
		inv := mustLoad(t, path)
		got, _ := inv.WinRM("ex01")
		if got.HTTPS != tt.https || got.Sealed() != tt.sealed || got.Encryption != tt.encryption || got.AllowUnencrypted != tt.allowUnencrypted {
			t.Errorf("winrm {%s}: https %v, encryption %q (sealed %v), allow_unencrypted %v; want %v, %q (%v), %v", tt.winrm,
				got.HTTPS, got.Encryption, got.Sealed(), got.AllowUnencrypted, tt.https, tt.encryption, tt.sealed, tt.allowUnencrypted)
		}
	}
}

// TestKerberosSettings decodes where Kerberos tickets come from, with
// paths resolved against the inventory and group settings overridden by
// the host's.
func TestKerberosSettings(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "svc.keytab"), "keytab bytes")
	writeFile(t, filepath.Join(dir, "inventory.hcl"), `
winrm {
  https    = false
  auth     = "kerberos"
  username = "svc-rectify@CORP.EXAMPLE.COM"
  realm    = "CORP.EXAMPLE.COM"
  kdcs     = ["dc01.corp.example.com", "dc02.corp.example.com:88"]
  keytab   = "svc.keytab"
}
host "ex01" { fqdn = "ex01.corp.example.com" }
host "ex02" {
  fqdn = "ex02.corp.example.com"
  winrm {
    spn  = "HTTP/ex02-alias.corp.example.com"
    kdcs = ["dc03.corp.example.com"]
  }
}
`)
	inv := mustLoad(t, filepath.Join(dir, "inventory.hcl"))
	want := map[string]KerberosSettings{
		"ex01": {Realm: "CORP.EXAMPLE.COM", KDCs: []string{"dc01.corp.example.com", "dc02.corp.example.com:88"}, Keytab: filepath.Join(dir, "svc.keytab")},
		"ex02": {Realm: "CORP.EXAMPLE.COM", KDCs: []string{"dc03.corp.example.com"}, Keytab: filepath.Join(dir, "svc.keytab"), SPN: "HTTP/ex02-alias.corp.example.com"},
	}
	for host, w := range want {
		s, _ := inv.WinRM(host)
		if s.Auth != AuthKerberos || !s.Sealed() {
			t.Errorf("%s: auth %q, sealed %v", host, s.Auth, s.Sealed())
		}
		if diff := cmp.Diff(w, s.Kerberos); diff != "" {
			t.Errorf("%s (-want +got):\n%s", host, diff)
		}
	}
}
