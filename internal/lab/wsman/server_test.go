package wsman

import (
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/pki"
)

func TestNewServerValidatesOptions(t *testing.T) {
	ca, err := pki.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	valid := Options{Runner: testRunner(), CA: ca, Username: "u", Password: "p"}
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no runner", func(o *Options) { o.Runner = nil }, "no runner"},
		{"no password", func(o *Options) { o.Password = "" }, "no account"},
		{"https without CA", func(o *Options) { o.CA = nil }, "HTTPS needs a CA"},
		{"no scheme", func(o *Options) { o.DisableBasic, o.DisableNTLM = true, true }, "every authentication scheme is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := valid
			tt.edit(&opts)
			if _, err := NewServer(opts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDefaultAddresses checks that hosts get their own loopback addresses on
// WinRM's port by default (another process may hold the first ones).
func TestDefaultAddresses(t *testing.T) {
	l := newLab(t, func(o *Options) { o.Port = 0 })
	a, b := l.host(t, "ex01"), l.host(t, "ex02")
	for _, h := range []*Host{a, b} {
		ip, port, err := net.SplitHostPort(h.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if port != "5986" || !strings.HasPrefix(ip, "127.1.") {
			t.Errorf("%s listens on %s, want 127.1.x.y:5986", h.Name(), h.Addr())
		}
	}
	if a.Addr() == b.Addr() {
		t.Errorf("both hosts on %s", a.Addr())
	}
	client := l.masterzen(t, b, true, 10*time.Second)
	var out, errOut strings.Builder
	if code, err := client.Run("hostname", &out, &errOut); err != nil || code != 0 || out.String() != "ex02" {
		t.Fatalf("code %d stdout %q err %v", code, out.String(), err)
	}
}

func TestAddHost(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	if _, err := l.srv.AddHost(HostSpec{Name: "ex01"}); err == nil {
		t.Error("a second host named ex01 was added")
	}
	if _, err := l.srv.AddHost(HostSpec{}); err == nil {
		t.Error("a host without a name was added")
	}
	explicit, err := l.srv.AddHost(HostSpec{Name: "dc01", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if host, _, _ := net.SplitHostPort(explicit.Addr()); host != "127.0.0.1" {
		t.Errorf("explicit address: listening on %s", explicit.Addr())
	}
	if l.srv.Host("ex01") != h || l.srv.Host("nope") != nil || len(l.srv.Hosts()) != 2 {
		t.Error("Host/Hosts do not find the hosts added")
	}

	// The certificate names the host's FQDN and address: a client that
	// dials by name verifies it.
	client := l.ca.ClientTLSConfig()
	client.ServerName = "ex01.lab.example.test"
	conn, err := tlsDial(h.Addr(), client)
	if err != nil {
		t.Fatalf("TLS by name: %v", err)
	}
	conn.Close()

	if err := l.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.SetFaults(Faults{Latency: time.Second}); err == nil {
		t.Error("SetFaults on a closed host succeeded")
	}
	if _, err := net.DialTimeout("tcp", h.Addr(), time.Second); err == nil {
		t.Error("a closed server still accepts connections")
	}
	if _, err := l.srv.AddHost(HostSpec{Name: "late"}); err == nil {
		t.Error("AddHost on a closed server succeeded")
	}
}

// TestClientsVerifyTheLabCA checks that the host's certificate verifies
// only against its own lab CA.
func TestClientsVerifyTheLabCA(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	other := newLab(t, nil)
	client := other.masterzen(t, h, true, 10*time.Second)
	_, err := client.CreateShell()
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("error %v, want an unknown certificate authority", err)
	}
}
