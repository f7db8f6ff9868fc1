package sambatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// pythonLDB is Debian's interpreter, which has the ldb module samba uses
// (a python3 earlier on PATH may be another interpreter without it).
const pythonLDB = "/usr/bin/python3"

// seedScript adds values to attributes straight into a partition file,
// with no ldb modules loaded: no schema checks, no SPN uniqueness. Each
// argument after the file is dn, attribute, value.
const seedScript = `
import sys, ldb
db = ldb.Ldb(sys.argv[1], options=["modules:"])
args = sys.argv[2:]
db.transaction_start()
for i in range(0, len(args), 3):
    m = ldb.Message()
    m.dn = ldb.Dn(db, args[i])
    m[args[i+1]] = ldb.MessageElement([args[i+2].encode()], ldb.FLAG_MOD_ADD, args[i+1])
    db.modify(m)
db.transaction_commit()
`

// ComputerDN is the DN samba-tool gives a computer account by default.
func ComputerDN(name string) string {
	return "CN=" + goldap.EscapeDN(name) + ",CN=Computers," + BaseDN
}

// ComputerFQDN is the dNSHostName of a computer account named name.
func ComputerFQDN(name string) string { return strings.ToLower(name) + "." + DNSName }

// SambaTool runs samba-tool against the DC's configuration and returns its
// output, failing the test on error.
func (dc *DC) SambaTool(t testing.TB, args ...string) string {
	t.Helper()
	args = append(args, "-s", dc.Conf)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := withoutSysAdmin(ctx, "samba-tool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("samba-tool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// CreateComputer creates a computer account with samba-tool (sAMAccountName
// name$, dNSHostName name.lab.example.test, Samba's default SPNs) and
// returns its DN.
func (dc *DC) CreateComputer(t testing.TB, name string) string {
	t.Helper()
	dc.SambaTool(t, "computer", "create", name)
	return ComputerDN(name)
}

// AddSPN adds an SPN to an account with samba-tool, which refuses one that
// another account already holds.
func (dc *DC) AddSPN(t testing.TB, spn, account string) {
	t.Helper()
	dc.SambaTool(t, "spn", "add", spn, account)
}

// Admin returns an LDAP connection bound as Administrator over LDAPS,
// closed when the test ends.
func (dc *DC) Admin(t testing.TB) *goldap.Conn {
	t.Helper()
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(dc.PKI.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool.AppendCertsFromPEM(pem)
	conn, err := goldap.DialURL(dc.LDAPSURL(), goldap.DialWithTLSConfig(&tls.Config{RootCAs: pool, ServerName: FQDN}))
	if err != nil {
		t.Fatalf("dial %s: %v", dc.LDAPSURL(), err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Bind(dc.AdminUPN(), AdminPassword); err != nil {
		t.Fatalf("bind as administrator: %v", err)
	}
	return conn
}

// AddComputers creates plain computer accounts over LDAP, far faster than
// samba-tool for many objects: sAMAccountName name$, dNSHostName
// ComputerFQDN(name), userAccountControl 4096 (workstation trust). It
// returns their DNs.
func (dc *DC) AddComputers(t testing.TB, names ...string) []string {
	t.Helper()
	conn := dc.Admin(t)
	dns := make([]string, len(names))
	for i, name := range names {
		dns[i] = ComputerDN(name)
		req := goldap.NewAddRequest(dns[i], nil)
		req.Attribute("objectClass", []string{"computer"})
		req.Attribute("sAMAccountName", []string{name + "$"})
		req.Attribute("dNSHostName", []string{ComputerFQDN(name)})
		req.Attribute("userAccountControl", []string{"4096"})
		if err := conn.Add(req); err != nil {
			t.Fatalf("add computer %s: %v", name, err)
		}
	}
	return dns
}

// SPNWrite is one value to write past Samba's checks.
type SPNWrite struct {
	DN, SPN string
}

// SeedSPNs writes servicePrincipalName values straight into the domain
// partition while samba is stopped, bypassing the uniqueness check that a
// running DC enforces: the way duplicates arise in real forests
// (replication collisions, older functional levels). Samba is restarted
// afterwards, so open connections to it break.
func (dc *DC) SeedSPNs(t testing.TB, writes ...SPNWrite) {
	t.Helper()
	dc.Stop()
	args := []string{"-c", seedScript, dc.partition()}
	for _, w := range writes {
		args = append(args, w.DN, "servicePrincipalName", w.SPN)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, pythonLDB, args...).CombinedOutput()
	if startErr := dc.start(ctx); startErr != nil {
		t.Fatalf("restart samba: %v", startErr)
	}
	if err != nil {
		t.Fatalf("seed SPNs: %v\n%s", err, out)
	}
}

// partition is the file of the domain naming context.
func (dc *DC) partition() string {
	return filepath.Join(filepath.Dir(filepath.Dir(dc.Conf)), "private", "sam.ldb.d", strings.ToUpper(BaseDN)+".ldb")
}

// String describes the DC for test logs.
func (dc *DC) String() string {
	return fmt.Sprintf("samba dc %s (%s)", FQDN, dc.LDAPSURL())
}
