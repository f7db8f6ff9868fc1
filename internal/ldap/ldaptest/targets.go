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

// sambaFixtures sets up state on a Samba DC.
type sambaFixtures struct{ dc *sambatest.DC }

func (f sambaFixtures) AddComputers(t testing.TB, names ...string) []string {
	return f.dc.AddComputers(t, names...)
}

func (f sambaFixtures) SeedSPNs(t testing.TB, writes ...SPNWrite) {
	ws := make([]sambatest.SPNWrite, len(writes))
	for i, w := range writes {
		ws[i] = sambatest.SPNWrite{DN: w.DN, SPN: w.SPN}
	}
	f.dc.SeedSPNs(t, ws...)
}

func (f sambaFixtures) Restart(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := f.dc.Restart(ctx); err != nil {
		t.Fatal(err)
	}
}

// SambaTarget is the contract target of a running Samba DC.
func SambaTarget(dc *sambatest.DC) Target {
	return Target{
		Name:       "samba",
		LDAPSURL:   dc.LDAPSURL(),
		LDAPURL:    dc.LDAPURL(),
		GCSURL:     dc.GCSURL(),
		GCURL:      dc.GCURL(),
		CAFile:     dc.PKI.CAFile,
		ServerName: sambatest.FQDN,
		UPN:        dc.AdminUPN(),
		DownLevel:  dc.AdminDownLevel(),
		Password:   dc.AdminPassword(),
		BaseDN:     sambatest.BaseDN,
		DNSDomain:  sambatest.DNSName,
		Fixtures:   sambaFixtures{dc},
	}
}

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

// StartLab serves a fresh lab directory (corp.example.com) on loopback
// ports for the test and returns its contract target.
func StartLab(t testing.TB) Target {
	t.Helper()
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
