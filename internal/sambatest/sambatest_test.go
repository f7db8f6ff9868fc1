package sambatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestSharedDCServes(t *testing.T) {
	dc := Shared(t)
	conn := dc.Admin(t)
	res, err := conn.Search(goldap.NewSearchRequest("", goldap.ScopeBaseObject, goldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"defaultNamingContext", "currentTime"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Entries[0].GetAttributeValue("defaultNamingContext"); got != BaseDN {
		t.Errorf("defaultNamingContext = %q, want %q", got, BaseDN)
	}
	for _, addr := range []string{dc.KDCAddress(), dc.Addr(PortGC), dc.Addr(PortGCS)} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Errorf("dial %s: %v", addr, err)
			continue
		}
		c.Close()
	}
}

func TestFixtures(t *testing.T) {
	dc := Shared(t)
	dn := dc.CreateComputer(t, "FIXA")
	dc.AddComputers(t, "FIXB")
	dc.AddSPN(t, "SMTPSVC/fixa.lab.example.test", "FIXA$")
	// The running DC refuses the same SPN on another account...
	conn := dc.Admin(t)
	mod := goldap.NewModifyRequest(ComputerDN("FIXB"), nil)
	mod.Add("servicePrincipalName", []string{"SMTPSVC/fixa.lab.example.test"})
	if err := conn.Modify(mod); !goldap.IsErrorWithCode(err, goldap.LDAPResultConstraintViolation) {
		t.Fatalf("adding a held SPN: err = %v, want constraint violation", err)
	}
	// ...but seeding writes past it.
	dc.SeedSPNs(t, SPNWrite{DN: ComputerDN("FIXB"), SPN: "SMTPSVC/FIXA.lab.example.test"})
	conn = dc.Admin(t)
	res, err := conn.Search(goldap.NewSearchRequest(BaseDN, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases, 0, 0, false,
		"(servicePrincipalName=smtpsvc/fixa.lab.example.test)", []string{"cn"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 2 {
		t.Fatalf("holders of the seeded duplicate: %d entries, want 2 (%s and %s)", len(res.Entries), dn, ComputerDN("FIXB"))
	}
}

func TestStopLeavesNoProcess(t *testing.T) {
	dc := Shared(t)
	pid := dc.proc.Process.Pid
	dc.Stop()
	dc.Stop() // idempotent
	defer func() {
		if err := dc.start(context.Background()); err != nil {
			t.Fatalf("restart: %v", err)
		}
	}()
	if err := processAlive(pid); err == nil {
		t.Fatalf("samba pid %d still alive after Stop", pid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var d net.Dialer
	if c, err := d.DialContext(ctx, "tcp", dc.Addr(PortLDAPS)); err == nil {
		c.Close()
		t.Fatal("port 636 still answers after Stop")
	}
}

// TestRunsWithoutSysAdmin shows that the DC runs with CAP_SYS_ADMIN out of
// its capability sets (bit 21 of CapEff), as in an unprivileged container.
func TestRunsWithoutSysAdmin(t *testing.T) {
	// Without setpriv samba would run with this process's capabilities.
	testenv.LookPath(t, "setpriv", "util-linux")
	dc := Shared(t)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", dc.proc.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			eff, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			const capSysAdmin = 21
			if eff&(1<<capSysAdmin) != 0 {
				t.Errorf("samba runs with CAP_SYS_ADMIN (CapEff %x)", eff)
			}
			return
		}
	}
	t.Fatal("no CapEff line in /proc status")
}

// TestDCsDoNotCollide runs a second DC beside the shared one, as two test
// binaries (or two CI runs on one machine) do: each has a loopback address
// of its own, serves there on the standard ports, and only there.
func TestDCsDoNotCollide(t *testing.T) {
	first := Shared(t)
	second := Start(t)
	if first.IP() == second.IP() {
		t.Fatalf("both DCs listen on %s", first.IP())
	}
	for _, dc := range []*DC{first, second} {
		if ip := net.ParseIP(dc.IP()); ip == nil || !ip.IsLoopback() || dc.IP() == "127.0.0.1" {
			t.Errorf("DC address %q: want a loopback address of its own, not 127.0.0.1", dc.IP())
		}
		// Each answers over TLS with a certificate for its own address.
		conn := dc.Admin(t)
		res, err := conn.Search(goldap.NewSearchRequest("", goldap.ScopeBaseObject, goldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", []string{"dnsHostName"}, nil))
		if err != nil {
			t.Fatalf("%s: %v", dc, err)
		}
		if got := res.Entries[0].GetAttributeValue("dnsHostName"); !strings.EqualFold(got, FQDN) {
			t.Errorf("%s: dnsHostName %q, want %s", dc, got, FQDN)
		}
	}
	// "bind interfaces only": neither DC answers on 127.0.0.1. Whatever
	// might listen there on this machine cannot present a certificate
	// from these DCs' test CAs.
	for _, dc := range []*DC{first, second} {
		pool := x509.NewCertPool()
		pem, err := os.ReadFile(dc.PKI.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(pem)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(PortLDAPS))
		d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: time.Second}, Config: &tls.Config{RootCAs: pool, ServerName: FQDN}}
		if c, err := d.Dial("tcp", addr); err == nil {
			c.Close()
			t.Errorf("%s answers on %s too", dc, addr)
		}
	}
}
