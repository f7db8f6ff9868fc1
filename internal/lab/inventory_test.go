package lab

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/wsman/wsmantest"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/ops"
)

// TestInventoryReachesTheLab writes the inventory, loads it with the
// project's inventory package and the credentials the lab names, and reads
// through its endpoints: the Kerberos LogLevel, the connectors and
// repadmin /showrepl over WinRM (masterzen/winrm, TLS verified against the
// lab CA the inventory names), and the rootDSE over LDAPS.
func TestInventoryReachesTheLab(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	path := filepath.Join(t.TempDir(), "lab.hcl")
	if err := l.WriteInventory(path); err != nil {
		t.Fatal(err)
	}
	creds := l.Credentials()
	inv, diags := inventory.Load(path, func(name string) (string, bool) { v, ok := creds[name]; return v, ok })
	if diags.HasErrors() {
		t.Fatalf("load inventory: %s", diags.Error())
	}
	if diff := cmp.Diff([]string{"dc01", "dc02", "ex01", "ex02"}, inv.HostNames()); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}

	clientFor := func(host string) *winrm.Client {
		t.Helper()
		s, ok := inv.WinRM(host)
		if !ok {
			t.Fatalf("inventory has no WinRM settings for %s", host)
		}
		if !s.HTTPS || s.Auth != inventory.AuthNTLM || s.CAFile == "" {
			t.Fatalf("WinRM settings of %s: %+v", host, s)
		}
		ep := winrm.NewEndpoint(s.Host, s.Port, s.HTTPS, s.InsecureSkipVerify, s.CAPEM, nil, nil, s.Timeout)
		ep.TLSServerName = s.ServerName
		params := winrm.NewParameters("PT60S", "en-US", 153600)
		params.TransportDecorator = func() winrm.Transporter { return &wsmantest.NTLM{User: s.Username, Password: s.Password.Reveal()} }
		c, err := winrm.NewClientWithParameters(ep, s.Username, s.Password.Reveal(), params)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	var v ops.RegistryValue
	runOp(t, clientFor("ex01"), ops.RegistryGet, ops.RegistryGetArgs{Path: KerberosParametersKey, Name: "LogLevel"}, &v)
	if v.Exists {
		t.Errorf("LogLevel on ex01: %+v, want unset", v)
	}
	var conns ops.ConnectorGetResult
	endpoint, cred := exchange(l, "ex02")
	runOp(t, clientFor("ex02"), ops.ConnectorGet, ops.ConnectorGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX02"}, &conns)
	if len(conns.Connectors) == 0 || hasFold(conns.Connectors[0].AuthMechanism, "ExchangeServer") {
		t.Errorf("Default EX02 should lack ExchangeServer: %+v", conns.Connectors)
	}
	r := run(t, clientFor("dc02"), "repadmin /showrepl /csv")
	if r.Code != 0 || !strings.Contains(r.Stdout, "showrepl_INFO,HQ,DC02,") {
		t.Errorf("showrepl: %+v", r)
	}

	dom, ok := inv.Domain("corp.example.com")
	if !ok || dom.LDAP == nil {
		t.Fatal("inventory has no LDAP settings for corp.example.com")
	}
	conf, err := dom.LDAP.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ldap.DialURL(dom.LDAP.URL, ldap.DialWithTLSConfig(conf))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(dom.LDAP.BindUser, dom.LDAP.Password.Reveal()); err != nil {
		t.Fatal(err)
	}
	res, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"dnsHostName", "defaultNamingContext"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("rootDSE: %v", err)
	}
	if got := res.Entries[0].GetAttributeValue("dnsHostName"); got != "dc01.corp.example.com" {
		t.Errorf("the inventory's LDAP server is %q, want the PDC emulator dc01", got)
	}

	// rectify finds the Global Catalog on the LDAPS host's port 3269.
	u, err := url.Parse(dom.LDAP.URL)
	if err != nil {
		t.Fatal(err)
	}
	gc, err := ldap.DialURL("ldaps://"+net.JoinHostPort(u.Hostname(), "3269"), ldap.DialWithTLSConfig(conf))
	if err != nil {
		t.Fatalf("no Global Catalog beside the inventory's LDAPS endpoint: %v", err)
	}
	defer gc.Close()
	if err := gc.Bind(dom.LDAP.BindUser, dom.LDAP.Password.Reveal()); err != nil {
		t.Fatal(err)
	}
	holders, err := gc.Search(ldap.NewSearchRequest("", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(servicePrincipalName=smtpsvc/EX02.corp.example.com)", []string{"sAMAccountName"}, nil))
	if err != nil || len(holders.Entries) != 2 {
		t.Errorf("GC search for the duplicated SPN: %v, %d holders, want 2", err, len(holders.Entries))
	}
}
