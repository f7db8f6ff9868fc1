package wsman

import (
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

func TestAddHost(t *testing.T) {
	l := newLab(t, func(o *Options) { o.Port = AnyPort })
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
