package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/directory"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/plans"
)

// discoverLab is a lab whose hosts all listen for WinRM on one port, so
// that an inventory written from the directory alone (FQDNs, one WinRM
// port) reaches them once their names resolve, and a DNS server that
// resolves them as the domain's DNS would.
type discoverLab struct {
	lab  *lab.Lab
	dir  string
	dns  string
	env  map[string]string
	port int
}

func startDiscoverLab(t *testing.T) *discoverLab {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	// A loopback range of its own, away from other labs on this machine.
	first := netip.AddrFrom4([4]byte{127, byte(60 + rand.IntN(120)), byte(1 + rand.IntN(250)), 11})
	// The lab's hosts listen as default Windows servers (HTTP, messages
	// sealed by the NTLM session), what discover writes by default.
	l, err := lab.Start(context.Background(), lab.KB979174(), lab.Options{WinRMPort: port, FirstAddress: first, Dir: dir,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	names := map[string]string{}
	for _, h := range l.Org().Hosts() {
		ep, _ := l.WinRM(h.Name)
		ip, p, _ := net.SplitHostPort(ep.Addr())
		if p != fmt.Sprint(port) {
			t.Fatalf("the lab put %s's WinRM on %s, not on the shared port %d", h.Name, ep.Addr(), port)
		}
		names[strings.ToLower(h.FQDN)+"."] = ip
	}
	if err := os.WriteFile(filepath.Join(dir, "lab-ca.pem"), l.CAPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := examples.WriteExchange454(filepath.Join(dir, "exchange-454")); err != nil {
		t.Fatal(err)
	}
	return &discoverLab{lab: l, dir: dir, dns: serveDNS(t, names), env: l.Credentials(), port: port}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serveDNS answers A queries for names over UDP on loopback, as the
// domain's DNS server would, until the test ends; other queries get an
// empty answer.
func serveDNS(t *testing.T, names map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var p dnsmessage.Parser
			h, err := p.Start(buf[:n])
			if err != nil {
				continue
			}
			q, err := p.Question()
			if err != nil {
				continue
			}
			b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
			b.StartQuestions()
			b.Question(q)
			b.StartAnswers()
			if ip, ok := names[strings.ToLower(q.Name.String())]; ok && q.Type == dnsmessage.TypeA {
				a := netip.MustParseAddr(ip).As4()
				b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.AResource{A: a})
			}
			msg, err := b.Finish()
			if err == nil {
				pc.WriteTo(msg, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func (d *discoverLab) rectify(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := Env{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		LookupEnv:     func(name string) (string, bool) { v, ok := d.env[name]; return v, ok },
		Getwd:         func() (string, error) { return d.dir, nil },
		IsTerminal:    func(io.Writer) bool { return false },
		TerminalWidth: func(io.Writer) int { return 0 },
		Actions:       builtin.Registry(),
		Version:       "v0.0.0-test",
	}
	code := Run(context.Background(), args, env)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (d *discoverLab) discoverArgs(extra ...string) []string {
	pdc := d.lab.DCs()[0]
	return append([]string{"inventory", "discover",
		"-ldap", "ldaps://" + d.lab.LDAPAddr(pdc, ldapd.LDAPS),
		"-gc-url", "ldaps://" + d.lab.LDAPAddr(pdc, ldapd.GCS),
		"-bind-user", d.lab.Username(), "-password-env", lab.EnvLDAPPassword,
		"-ca-file", "lab-ca.pem", "-winrm-port", fmt.Sprint(d.port)}, extra...)
}

// TestInventoryDiscoverPlansTheLab discovers the lab's organisation from
// its directory, then validates and plans the example playbook with the
// written inventory: the same changes as with the lab's own inventory, and
// no host that cannot be read.
func TestInventoryDiscoverPlansTheLab(t *testing.T) {
	d := startDiscoverLab(t)
	got := d.rectify(t, d.discoverArgs("-dns", d.dns, "-site-groups", "-out", "discovered.hcl", "-log-level", "trace")...)
	if got.code != 0 {
		t.Fatalf("discover: %s", got)
	}
	if !strings.Contains(got.stderr, "Found 2 Exchange server(s) and 2 domain controller(s) in corp.example.com; wrote discovered.hcl.") {
		t.Errorf("discover's summary: %s", got)
	}
	if strings.Contains(got.stdout+got.stderr, d.lab.Password()) {
		t.Fatalf("discover printed the bind password:\n%s", got)
	}
	written, err := os.ReadFile(filepath.Join(d.dir, "discovered.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(written, []byte(d.lab.Password())) || !bytes.Contains(written, []byte(`= env("RECTIFY_LDAP_PASSWORD")`)) {
		t.Errorf("the inventory holds the password, or not as env():\n%s", written)
	}
	inv, diags := inventory.Load(filepath.Join(d.dir, "discovered.hcl"), func(n string) (string, bool) { v, ok := d.env[n]; return v, ok })
	if diags.HasErrors() {
		t.Fatalf("load: %s", diags.Error())
	}
	var hosts []string
	for _, h := range inv.Hosts() {
		hosts = append(hosts, fmt.Sprintf("%s %s %s %s %v", h.Name, h.FQDN, h.Address, h.Site, h.Groups))
		if want := d.lab.Org(); want != nil {
			if lh, ok := want.Host(h.Name); !ok || lh.IP != h.Address {
				t.Errorf("%s resolved to %q, the lab serves it on %v", h.Name, h.Address, lh)
			}
		}
	}
	sort.Strings(hosts)
	if len(hosts) != 4 || !strings.HasPrefix(hosts[0], "dc01 dc01.corp.example.com ") || !strings.HasSuffix(hosts[0], " HQ [dc site-hq]") ||
		!strings.HasSuffix(hosts[3], " HQ [exchange site-hq]") {
		t.Errorf("discovered hosts:\n%s", strings.Join(hosts, "\n"))
	}

	if got := d.rectify(t, "validate", "-inventory", "discovered.hcl", "exchange-454"); got.code != 0 {
		t.Fatalf("validate with the discovered inventory: %s", got)
	}
	discovered := d.planJSON(t, "discovered.hcl")
	if err := d.lab.WriteInventory(filepath.Join(d.dir, "lab.hcl")); err != nil {
		t.Fatal(err)
	}
	own := d.planJSON(t, "lab.hcl")
	if len(own.Instances) == 0 {
		t.Fatal("the lab's own inventory planned nothing")
	}
	if diff := cmp.Diff(planSummary(own), planSummary(discovered)); diff != "" {
		t.Errorf("plan with the discovered inventory differs from the lab's own (-own +discovered):\n%s", diff)
	}
}

func (d *discoverLab) planJSON(t *testing.T, inv string) plans.Plan {
	t.Helper()
	got := d.rectify(t, "plan", "-inventory", inv, "-json", "exchange-454")
	if got.code != 0 {
		t.Fatalf("plan with %s: %s", inv, got)
	}
	var p plans.Plan
	if err := json.Unmarshal([]byte(got.stdout), &p); err != nil {
		t.Fatalf("plan -json with %s: %v\n%s", inv, err, got.stdout)
	}
	return p
}

// planSummary is each instance's address and planned action.
func planSummary(p plans.Plan) []string {
	var out []string
	for _, in := range p.Instances {
		out = append(out, in.Address+" "+string(in.Change.Action))
	}
	sort.Strings(out)
	return out
}

func TestInventoryDiscoverRefusals(t *testing.T) {
	d := startDiscoverLab(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no subcommand", []string{"inventory"}, nil, exitUsage, `expected the subcommand "discover"`},
		{"no url", []string{"inventory", "discover"}, nil, exitUsage, "-ldap is required"},
		{"password unset", d.discoverArgs("-password-env", "NOT_SET_ANYWHERE"), nil, exitUsage, "environment variable NOT_SET_ANYWHERE, which is not set"},
		{"plain ldap", append(d.discoverArgs(), "-ldap", "ldap://"+d.lab.LDAPAddr(d.lab.DCs()[0], ldapd.LDAP)), nil, exitError, "is plain LDAP"},
		{"wrong password", d.discoverArgs(), map[string]string{lab.EnvLDAPPassword: "Wrong-password-7"}, exitError,
			"Invalid Credentials): 80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563 (data 52e: the user name or password is wrong)\n\n" +
				"Hint: the domain controller at " + d.lab.LDAPAddr(d.lab.DCs()[0], ldapd.LDAPS) + " refused the LDAP bind: the user name or password is wrong (data 52e); check -bind-user and RECTIFY_LDAP_PASSWORD (-password-env).\n"},
		{"untrusted certificate", append(d.discoverArgs(), "-ca-file", ""), nil, exitError, "certificate signed by unknown authority"},
		{"untrusted certificate, hint", append(d.discoverArgs(), "-ca-file", ""), nil, exitError,
			"is not signed by a CA this machine trusts: give -ca-file the CA that issued it."},
		{"unknown winrm auth", d.discoverArgs("-winrm-auth", "basic"), nil, exitUsage, `-winrm-auth "basic" is not "ntlm" or "kerberos"`},
		{"winrm CA without HTTPS", d.discoverArgs("-winrm-ca-file", "lab-ca.pem"), nil, exitUsage, "-winrm-ca-file applies to -winrm-https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := d.env
			if tc.env != nil {
				d.env = tc.env
			}
			got := d.rectify(t, append(tc.args, "-out", "refused.hcl")...)
			d.env = saved
			if got.code != tc.code || !strings.Contains(got.stderr, tc.want) {
				t.Errorf("want exit %d and %q: %s", tc.code, tc.want, got)
			}
			if strings.Contains(got.stdout+got.stderr, "Wrong-password-7") || strings.Contains(got.stdout+got.stderr, d.lab.Password()) {
				t.Errorf("a password was printed: %s", got)
			}
			if _, err := os.Stat(filepath.Join(d.dir, "refused.hcl")); !os.IsNotExist(err) {
				t.Errorf("a refused discovery wrote its output: %v", err)
			}
		})
	}
}

// TestInventoryDiscoverToStdout writes the inventory to standard output
// without addresses: FQDNs only, as for a machine that resolves the
// domain's names itself.
func TestInventoryDiscoverToStdout(t *testing.T) {
	d := startDiscoverLab(t)
	got := d.rectify(t, d.discoverArgs()...)
	if got.code != 0 {
		t.Fatalf("discover: %s", got)
	}
	for _, want := range []string{`host "ex01" {`, `fqdn   = "ex01.corp.example.com"`, `groups = ["dc"]`, `username   = env("RECTIFY_WINRM_USER")`,
		`bind_user = "CORP\\rectify"`, `https      = false`, `encryption = "auto"`, `auth       = "ntlm"`} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, got.stdout)
		}
	}
	if !strings.Contains(got.stdout, `ca_file   = "`+filepath.Join(d.dir, "lab-ca.pem")+`"`) {
		t.Errorf("the CA path on standard output is not absolute:\n%s", got.stdout)
	}
	if strings.Contains(got.stdout, "address") {
		t.Errorf("addresses written without -resolve:\n%s", got.stdout)
	}
	if entries, _ := filepath.Glob(filepath.Join(d.dir, ".discover-*")); len(entries) != 0 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestInventoryDiscoverKerberos writes Kerberos logons when asked: over
// HTTP with message encryption, the domain's realm, and its DCs as the
// KDCs; and HTTPS with the hosts' CA when asked for that.
func TestInventoryDiscoverKerberos(t *testing.T) {
	d := startDiscoverLab(t)
	got := d.rectify(t, d.discoverArgs("-winrm-auth", "kerberos")...)
	if got.code != 0 {
		t.Fatalf("discover: %s", got)
	}
	for _, want := range []string{`https      = false`, `auth       = "kerberos"`, `realm      = "CORP.EXAMPLE.COM"`,
		`kdcs       = ["dc01.corp.example.com", "dc02.corp.example.com"]`} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, got.stdout)
		}
	}
	got = d.rectify(t, d.discoverArgs("-winrm-https", "-winrm-port", "5986")...)
	if got.code != 0 {
		t.Fatalf("discover -winrm-https: %s", got)
	}
	for _, want := range []string{`https    = true`, `port     = 5986`, `ca_file  = "` + filepath.Join(d.dir, "lab-ca.pem") + `"`} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("-winrm-https: output lacks %q:\n%s", want, got.stdout)
		}
	}
}

// TestInventoryDiscoverHostileDirectory plants Exchange servers whose
// names are HCL and PowerShell syntax and whose address is a Cyrillic
// look-alike: the written inventory validates, holds the names only as
// strings, and says on stderr, in ASCII, what it left out.
func TestInventoryDiscoverHostileDirectory(t *testing.T) {
	d := startDiscoverLab(t)
	dir := d.lab.Directory()
	evil := `x"; } host "evil" { fqdn = "$(Stop-Computer)" } #`
	for _, x := range []directory.ExchangeServer{
		{Name: evil, FQDN: "ex90.corp.example.com", Site: "HQ"},
		{Name: "EX91", FQDN: "\u0435\u044591.corp.example.com", Site: "HQ"},
	} {
		if _, err := dir.AddExchangeServer(x); err != nil {
			t.Fatal(err)
		}
	}
	got := d.rectify(t, d.discoverArgs("-out", "hostile.hcl")...)
	if got.code != 0 {
		t.Fatalf("discover: %s", got)
	}
	if !strings.Contains(got.stderr, `Left out: Exchange server "EX91": no usable DNS name`) || !strings.Contains(got.stderr, `\u0435\u044591.corp.example.com`) {
		t.Errorf("stderr does not say, in ASCII, that EX91 was left out: %s", got)
	}
	if got := d.rectify(t, "validate", "-inventory", "hostile.hcl", "exchange-454"); got.code != 0 {
		t.Fatalf("validate: %s", got)
	}
	inv, diags := inventory.Load(filepath.Join(d.dir, "hostile.hcl"), func(n string) (string, bool) { v, ok := d.env[n]; return v, ok })
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	h, ok := inv.Host("ex90")
	if !ok || h.Vars["directory_name"] != evil || h.FQDN != "ex90.corp.example.com" {
		t.Errorf("ex90: %+v", h)
	}
	if _, ok := inv.Host("evil"); ok || len(inv.Hosts()) != 5 {
		t.Errorf("hosts: %v", inv.HostNames())
	}
}
