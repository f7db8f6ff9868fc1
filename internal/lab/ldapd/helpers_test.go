package ldapd

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

const (
	testRoot     = "DC=corp,DC=example,DC=com"
	testUser     = "svc-rectify"
	testPassword = "Corr3ct-Horse"
)

// testPKI is a throwaway CA and a server certificate for 127.0.0.1 and
// dc01.corp.example.com.
type testPKI struct {
	server *tls.Config
	client *tls.Config
}

func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "lab test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "dc01.corp.example.com"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"dc01.corp.example.com"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return testPKI{
		server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		client: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
	}
}

type fixture struct {
	srv *Server
	dir *directory.Directory
	pki testPKI
}

// startServer serves a fresh forest on all four endpoints of 127.0.0.1.
func startServer(t testing.TB, dir *directory.Directory, change func(*Options)) *fixture {
	t.Helper()
	if dir == nil {
		var err error
		if dir, err = directory.New(testRoot); err != nil {
			t.Fatal(err)
		}
	}
	pki := newTestPKI(t)
	opts := Options{
		Addr:      "127.0.0.1:0",
		LDAPSAddr: "127.0.0.1:0",
		GCAddr:    "127.0.0.1:0",
		GCSAddr:   "127.0.0.1:0",
		TLSConfig: pki.server,
		Users:     map[string]string{testUser: testPassword},
	}
	if change != nil {
		change(&opts)
	}
	srv, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := srv.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return &fixture{srv: srv, dir: dir, pki: pki}
}

// dial connects a go-ldap client to an endpoint.
func (f *fixture) dial(t testing.TB, k Kind) *ldap.Conn {
	t.Helper()
	scheme := "ldap://"
	if k.tls() {
		scheme = "ldaps://"
	}
	c, err := ldap.DialURL(scheme+f.srv.Addr(k), ldap.DialWithTLSConfig(f.pki.client.Clone()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// bound dials an endpoint and binds as the test account (StartTLS first on
// the plain ports).
func (f *fixture) bound(t testing.TB, k Kind) *ldap.Conn {
	t.Helper()
	c := f.dial(t, k)
	if !k.tls() {
		if err := c.StartTLS(f.pki.client.Clone()); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Bind(testUser+"@corp.example.com", testPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

// ldapCode returns the result code of a go-ldap error (0 for nil).
func ldapCode(err error) uint16 {
	if err == nil {
		return 0
	}
	var le *ldap.Error
	if errors.As(err, &le) {
		return le.ResultCode
	}
	return 0xffff
}

func ldapMessage(err error) string {
	var le *ldap.Error
	if errors.As(err, &le) && le.Err != nil {
		return le.Err.Error()
	}
	return ""
}

func errorsAsLDAP(err error, target **ldap.Error) bool { return errors.As(err, target) }
