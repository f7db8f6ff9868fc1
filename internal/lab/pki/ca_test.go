package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// handshake serves one TLS handshake with serverConf on loopback and dials
// it with clientConf, returning the client's handshake error.
func handshake(t *testing.T, serverConf, clientConf *tls.Config) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverConf)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		_ = conn.(*tls.Conn).Handshake()
		conn.Close()
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), clientConf)
	if err == nil {
		conn.Close()
	}
	ln.Close()
	<-done
	return err
}

func TestServerCertificateVerifies(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	serverConf, err := ca.ServerTLSConfig("ex01.lab.example.test", "127.1.0.11")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		serverName string
		wantErr    bool
	}{
		{name: "dns SAN", serverName: "ex01.lab.example.test"},
		{name: "ip SAN", serverName: "127.1.0.11"},
		{name: "other name", serverName: "dc01.lab.example.test", wantErr: true},
		{name: "other ip", serverName: "127.1.0.12", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := ca.ClientTLSConfig()
			client.ServerName = tt.serverName
			err := handshake(t, serverConf, client)
			if (err != nil) != tt.wantErr {
				t.Fatalf("handshake error = %v, want error %v", err, tt.wantErr)
			}
			var hostErr x509.HostnameError
			if tt.wantErr && !errors.As(err, &hostErr) {
				t.Fatalf("error = %v, want a hostname mismatch", err)
			}
		})
	}
}

func TestOtherCANotTrusted(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	serverConf, err := other.ServerTLSConfig("localhost")
	if err != nil {
		t.Fatal(err)
	}
	client := ca.ClientTLSConfig()
	client.ServerName = "localhost"
	var unknown x509.UnknownAuthorityError
	if err := handshake(t, serverConf, client); !errors.As(err, &unknown) {
		t.Fatalf("handshake error = %v, want unknown authority", err)
	}
}

func TestWritePEMLoadsAsPool(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := ca.WritePEM(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatal("written PEM holds no certificate")
	}
	cert, err := ca.Issue("ex02.lab.example.test", "::1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "::1", Roots: pool}); err != nil {
		t.Fatalf("verify against written CA: %v", err)
	}
	got := struct {
		DNS []string
		IPs []string
	}{DNS: cert.Leaf.DNSNames}
	for _, ip := range cert.Leaf.IPAddresses {
		got.IPs = append(got.IPs, ip.String())
	}
	want := struct {
		DNS []string
		IPs []string
	}{DNS: []string{"ex02.lab.example.test"}, IPs: []string{net.ParseIP("::1").String()}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SANs (-want +got):\n%s", diff)
	}
	if cert.Leaf.SerialNumber.Sign() <= 0 {
		t.Errorf("serial %v is not positive", cert.Leaf.SerialNumber)
	}
}

func TestIssueNeedsAName(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Issue(); err == nil {
		t.Fatal("Issue() with no names succeeded")
	}
}
