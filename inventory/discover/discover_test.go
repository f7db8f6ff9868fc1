package discover

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/directory"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	rldap "github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/inventory"
)

// startLab serves a lab and returns it with a Directory bound to its PDC
// emulator over LDAPS.
func startLab(t *testing.T, sc lab.Scenario) (*lab.Lab, *rldap.Directory) {
	t.Helper()
	l, err := lab.Start(context.Background(), sc, lab.Options{WinRMPort: lab.AnyPort, Dir: t.TempDir(),
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(l.CAPEM())
	dir, err := rldap.New(rldap.Config{
		URL: "ldaps://" + l.LDAPAddr(l.DCs()[0], ldapd.LDAPS), BindUser: l.Username(),
		Password: secret.New(l.Password()), RootCAs: pool,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	return l, dir
}

func TestDiscoverTheKBLab(t *testing.T) {
	_, dir := startLab(t, lab.KB979174())
	got, err := Discover(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &Result{Domain: "corp.example.com", Hosts: []Host{
		{Name: "ex01", DirectoryName: "EX01", FQDN: "ex01.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"exchange"}},
		{Name: "ex02", DirectoryName: "EX02", FQDN: "ex02.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"exchange"}},
		{Name: "dc01", DirectoryName: "DC01", FQDN: "dc01.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"dc"}},
		{Name: "dc02", DirectoryName: "DC02", FQDN: "dc02.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"dc"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Discover (-want +got):\n%s", diff)
	}
}

func TestDiscoverGeneratedSites(t *testing.T) {
	_, dir := startLab(t, lab.Generate(90))
	got, err := Discover(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Exchange()); n != 90 {
		t.Errorf("%d Exchange servers, want 90", n)
	}
	perSite := map[string]int{}
	for _, h := range got.DCs() {
		perSite[h.Site]++
	}
	// Generate puts two DCs in each site, a site per 40 Exchange servers.
	if diff := cmp.Diff(map[string]int{"HQ": 2, "SITE02": 2, "SITE03": 2}, perSite); diff != "" {
		t.Errorf("DCs per site (-want +got):\n%s", diff)
	}
	for _, h := range got.Exchange() {
		if h.Site == "" {
			t.Errorf("%s has no site", h.FQDN)
		}
	}
}

// TestDiscoverHostileNames plants Exchange servers whose names are HCL,
// PowerShell and LDAP syntax, look-alike letters and a DC-less fallback, and
// checks that the written inventory holds them only as inert strings.
func TestDiscoverHostileNames(t *testing.T) {
	l, dir := startLab(t, lab.KB979174())
	d := l.Directory()
	evil := `x"; } host "evil`
	for _, x := range []directory.ExchangeServer{
		{Name: evil, FQDN: "ex90.corp.example.com", Site: "HQ"},
		{Name: "EX91", FQDN: "ex91.corp.example.com", Site: `HQ ${env("RECTIFY_LDAP_PASSWORD")} %{ if true }`},
		{Name: "\u0435\u044501", FQDN: "\u0435\u044501.corp.example.com"}, // Cyrillic "ех01"
		{Name: "EX92*)(|(objectClass=*)", FQDN: "ex92.corp.example.com\r\nhost \"x\" {"},
	} {
		if _, err := d.AddExchangeServer(x); err != nil {
			t.Fatal(err)
		}
	}
	// EX93 has no ncacn_ip_tcp address: its FQDN comes from its computer
	// account's dNSHostName.
	dn, err := d.AddExchangeServer(directory.ExchangeServer{Name: "EX93", Site: "HQ"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Modify(dn, []directory.Change{{Op: directory.ChangeReplace, Attribute: "networkAddress", Values: []string{"netbios:EX93"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddComputer(directory.Computer{Name: "EX93", DNSHostName: "ex93.corp.example.com"}); err != nil {
		t.Fatal(err)
	}

	got, err := Discover(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Host{}
	for _, h := range got.Hosts {
		names[h.Name] = h
	}
	if h := names["ex90"]; h.DirectoryName != evil || h.FQDN != "ex90.corp.example.com" {
		t.Errorf("the server named %q: %+v", evil, h)
	}
	if h := names["ex93"]; h.FQDN != "ex93.corp.example.com" || h.Site != "HQ" {
		t.Errorf("EX93 without a TCP network address: %+v", h)
	}
	if len(got.Skipped) != 2 || !strings.Contains(strings.Join(got.Skipped, "\n"), `\u0435\u044501`) {
		t.Errorf("skipped: %q, want the Cyrillic name and the FQDN with a line break, quoted", got.Skipped)
	}
	for _, s := range got.Skipped {
		if strings.ContainsAny(s, "\r\n") {
			t.Errorf("a skip message carries a raw line break: %q", s)
		}
	}

	out, err := Write(got, Settings{WinRM: WinRM{HTTPS: true}, LDAP: LDAP{URL: "ldaps://dc01.corp.example.com", BindUser: `CORP\rectify`}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "inventory.hcl")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	inv, diags := inventory.Load(path, fakeEnv)
	if diags.HasErrors() {
		t.Fatalf("the written inventory does not load: %s\n%s", diags.Error(), out)
	}
	var hostNames []string
	for _, h := range inv.Hosts() {
		hostNames = append(hostNames, h.Name)
	}
	if diff := cmp.Diff([]string{"ex01", "ex02", "ex90", "ex91", "ex93", "dc01", "dc02"}, hostNames); diff != "" {
		t.Errorf("hosts of the written inventory (-want +got):\n%s\n%s", diff, out)
	}
	if h, _ := inv.Host("ex90"); h.Vars["directory_name"] != evil {
		t.Errorf("ex90's directory_name = %q, want %q", h.Vars["directory_name"], evil)
	}
	if h, _ := inv.Host("ex91"); h.Site != `HQ ${env("RECTIFY_LDAP_PASSWORD")} %{ if true }` {
		t.Errorf("ex91's site was evaluated as a template: %q", h.Site)
	}
	if _, ok := inv.Host("evil"); ok {
		t.Errorf("a name from the directory declared a host:\n%s", out)
	}
}

func fakeEnv(name string) (string, bool) { return "value-of-" + name, true }
