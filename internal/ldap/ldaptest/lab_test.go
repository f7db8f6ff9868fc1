package ldaptest

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/directory"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/internal/sambatest"
)

// The lab domain the contract runs against.
const (
	labRoot     = "DC=corp,DC=example,DC=com"
	labDNS      = "corp.example.com"
	labDC       = "dc01." + labDNS
	labPassword = "Lab-Contract-Pa55!"
)

// labFixtures sets up state in the lab's directory directly.
type labFixtures struct {
	dir *directory.Directory
	srv *ldapd.Server
}

func (f labFixtures) AddComputers(t testing.TB, names ...string) []string {
	t.Helper()
	out := make([]string, len(names))
	for i, n := range names {
		dn, err := f.dir.AddComputer(directory.Computer{Name: n, SPNs: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = dn
	}
	return out
}

func (f labFixtures) SeedSPNs(t testing.TB, writes ...SPNWrite) {
	t.Helper()
	for _, w := range writes {
		if err := f.dir.SeedAttribute(w.DN, "servicePrincipalName", w.SPN); err != nil {
			t.Fatal(err)
		}
	}
}

func (f labFixtures) Restart(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := f.srv.Restart(ctx, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

// startLab serves a fresh lab directory on loopback ports and returns its
// contract target.
func startLab(t *testing.T) Target {
	pki, err := sambatest.NewCA(t.TempDir(), labDC, labDC, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(pki.CertFile, pki.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.New(labRoot)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ldapd.New(dir, ldapd.Options{
		Addr: "127.0.0.1:0", LDAPSAddr: "127.0.0.1:0", GCAddr: "127.0.0.1:0", GCSAddr: "127.0.0.1:0",
		TLSConfig:   &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Users:       map[string]string{"Administrator": labPassword},
		DNSHostName: labDC,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return Target{
		Name:       "lab",
		LDAPSURL:   "ldaps://" + srv.Addr(ldapd.LDAPS),
		LDAPURL:    "ldap://" + srv.Addr(ldapd.LDAP),
		GCSURL:     "ldaps://" + srv.Addr(ldapd.GCS),
		GCURL:      "ldap://" + srv.Addr(ldapd.GC),
		CAFile:     pki.CAFile,
		ServerName: labDC,
		UPN:        "Administrator@" + labDNS,
		DownLevel:  `CORP\Administrator`,
		Password:   labPassword,
		BaseDN:     labRoot,
		DNSDomain:  labDNS,
		Fixtures:   labFixtures{dir: dir, srv: srv},
	}
}

func TestContractLab(t *testing.T) {
	RunContract(t, startLab(t))
}
