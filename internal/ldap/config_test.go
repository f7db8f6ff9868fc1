package ldap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rectifyhq/rectify/internal/secret"
)

const testPassword = "S3cret-Value!"

func validConfig() Config {
	return Config{URL: "ldaps://dc01.corp.example.com", BindUser: `CORP\svc`, Password: secret.New(testPassword)}
}

func TestNewRefuses(t *testing.T) {
	badCA := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(badCA, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		adjust func(*Config)
	}{
		{"plain ldap", func(c *Config) { c.URL = "ldap://dc01.corp.example.com" }},
		{"starttls on ldaps", func(c *Config) { c.StartTLS = true }},
		{"other scheme", func(c *Config) { c.URL = "http://dc01.corp.example.com" }},
		{"no host", func(c *Config) { c.URL = "ldaps://" }},
		{"credentials in url", func(c *Config) { c.URL = "ldaps://admin:pw@dc01" }},
		{"no user", func(c *Config) { c.BindUser = "" }},
		{"no password", func(c *Config) { c.Password = secret.Value{} }},
		{"bad base dn", func(c *Config) { c.BaseDN = "not a dn" }},
		{"missing ca file", func(c *Config) { c.CAFile = filepath.Join(t.TempDir(), "absent.pem") }},
		{"ca file without pem", func(c *Config) { c.CAFile = badCA }},
		{"plain gc", func(c *Config) { c.GCURL = "ldapx://dc01:3268" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.adjust(&cfg)
			if _, err := New(cfg); err == nil {
				t.Fatal("New accepted the configuration")
			} else if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error carries the password: %v", err)
			}
		})
	}
	if _, err := New(validConfig()); err != nil {
		t.Fatalf("valid configuration refused: %v", err)
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		url, gc  string
		startTLS bool
		want     [2]string // dc address, gc url
	}{
		{"ldaps://dc01.corp.example.com", "", false, [2]string{"dc01.corp.example.com:636", "ldaps://dc01.corp.example.com:3269"}},
		{"LDAPS://dc01:1636", "", false, [2]string{"dc01:1636", "ldaps://dc01:3269"}},
		{"ldap://dc01.corp.example.com", "", true, [2]string{"dc01.corp.example.com:389", "ldap://dc01.corp.example.com:3268"}},
		{"ldaps://[::1]:636", "", false, [2]string{"[::1]:636", "ldaps://[::1]:3269"}},
		{"ldaps://dc01", "ldaps://gc.corp.example.com", false, [2]string{"dc01:636", "ldaps://gc.corp.example.com"}},
		{"ldaps://dc01", "ldap://gc.corp.example.com", false, [2]string{"dc01:636", "ldap://gc.corp.example.com"}},
	}
	for _, tt := range tests {
		cfg := validConfig()
		cfg.URL, cfg.GCURL, cfg.StartTLS = tt.url, tt.gc, tt.startTLS
		d, err := New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		got := [2]string{d.dc.cfg.address, d.gc.cfg.url.String()}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s gc=%q (-want +got):\n%s", tt.url, tt.gc, diff)
		}
		if tt.gc == "ldap://gc.corp.example.com" && (!d.gc.cfg.startTLS || d.gc.cfg.address != "gc.corp.example.com:3268") {
			t.Errorf("plain gc url: startTLS=%v address=%s, want StartTLS on 3268", d.gc.cfg.startTLS, d.gc.cfg.address)
		}
	}
}

// TestSecretNeverPrinted formats and encodes a configuration every usual
// way and finds the password in none of them.
func TestSecretNeverPrinted(t *testing.T) {
	cfg := validConfig()
	js, err := json.Marshal(cfg.Password)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", cfg),
		"%+v":  fmt.Sprintf("%+v", cfg),
		"%#v":  fmt.Sprintf("%#v", cfg),
		"%s":   fmt.Sprintf("%s", cfg.Password),
		"%q":   fmt.Sprintf("%q", cfg.Password),
		"%x":   fmt.Sprintf("%x", cfg.Password),
		"json": string(js),
	}
	for how, out := range outputs {
		if strings.Contains(out, testPassword) || strings.Contains(out, fmt.Sprintf("%x", testPassword)) {
			t.Errorf("%s shows the password: %s", how, out)
		}
	}
	if cfg.Password.Reveal() != testPassword {
		t.Error("Reveal does not return the password")
	}
}

func TestPageSize(t *testing.T) {
	for _, tt := range []struct{ cfg, asked, want int }{
		{0, 0, MaxPageSize}, {0, 10, 10}, {200, 0, 200}, {0, 5000, MaxPageSize}, {5000, 0, MaxPageSize}, {0, -1, MaxPageSize},
	} {
		if got := (Config{PageSize: tt.cfg}).pageSize(tt.asked); got != tt.want {
			t.Errorf("pageSize(config %d, asked %d) = %d, want %d", tt.cfg, tt.asked, got, tt.want)
		}
	}
}
