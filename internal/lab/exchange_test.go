package lab

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// runAs runs an op in process, in the logon session given, as the WinRM
// endpoint would after authenticating the shell.
func runAs(t *testing.T, o *Org, logon wsman.Logon, host string, s ops.Script, args any) (string, string, int) {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	code := o.Run(withLogon(context.Background(), logon), host, ops.BootstrapCommand(), "", nil, strings.NewReader(string(ops.Stdin(s, b))), &out, &errOut)
	if errOut.Len() == 0 {
		return out.String(), "", code
	}
	return out.String(), clixmlText(t, errOut.String()), code
}

// TestExchangeCmdletsAndTheSecondHop runs Exchange cmdlets both ways in the
// logon sessions WinRM gives: through the snap-in loaded in the session
// (the version 1 scripts), whose cmdlets reach Active Directory as the
// caller, and through Exchange's management endpoint (version 2), which
// needs a credential of its own.
func TestExchangeCmdletsAndTheSecondHop(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	o := l.Org()
	snapIn := ops.Script{Op: ops.QueueGet, Version: 1, Text: "# rectify:op exchange.queue.get v1\nAdd-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn\n"}
	endpoint, cred := exchange(l, "ex01")
	wrong := &ops.Credential{User: cred.User, Password: cred.Password + "x"}
	ntlm := wsman.Logon{User: l.Username(), Mechanism: wsman.MechanismNTLM}
	basic := wsman.Logon{User: l.Username(), Mechanism: wsman.MechanismBasic}
	kerberos := wsman.Logon{User: l.Username(), Mechanism: wsman.MechanismKerberos}
	delegated := wsman.Logon{User: l.Username(), Mechanism: wsman.MechanismKerberos, Delegated: true}
	tests := []struct {
		name   string
		logon  wsman.Logon
		script ops.Script
		args   ops.QueueGetArgs
		err    string // "" for success
	}{
		{"snap-in over NTLM", ntlm, snapIn, ops.QueueGetArgs{Server: "EX01"}, "Active Directory server dc02.corp.example.com is not available. Error message: A local error occurred."},
		{"snap-in over Basic", basic, snapIn, ops.QueueGetArgs{Server: "EX01"}, "A local error occurred."},
		{"snap-in over Kerberos without delegation", kerberos, snapIn, ops.QueueGetArgs{Server: "EX01"}, "A local error occurred."},
		{"snap-in with delegated credentials", delegated, snapIn, ops.QueueGetArgs{Server: "EX01"}, ""},
		{"endpoint without a credential over NTLM", ntlm, ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: endpoint, Server: "EX01"}, "0x8009030e occurred while using Kerberos authentication: A specified logon session does not exist."},
		{"endpoint with a wrong password", ntlm, ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: endpoint, Credential: wrong, Server: "EX01"}, "The user name or password is incorrect."},
		{"endpoint with the credential", ntlm, ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX01"}, ""},
		{"endpoint with delegated credentials", delegated, ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: endpoint, Server: "EX01"}, ""},
		{"endpoint of an unknown server", ntlm, ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: ops.EndpointFor("ex09.corp.example.com"), Credential: cred}, "the server name cannot be resolved"},
		{"not an endpoint", ntlm, ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: ops.ExchangeEndpoint{ConnectionURI: "https://ex01.corp.example.com/owa/"}, Credential: cred}, "is not http://<fqdn>/PowerShell/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := runAs(t, o, tt.logon, "ex01", tt.script, tt.args)
			if tt.err == "" {
				var res ops.QueueGetResult
				if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Queues) != 1 {
					t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
				}
				return
			}
			if code != 1 || !strings.Contains(stderr, tt.err) {
				t.Fatalf("exit %d, stderr %q; want an error saying %q", code, stderr, tt.err)
			}
			if strings.Contains(stderr, cred.Password) {
				t.Errorf("the error carries the password: %q", stderr)
			}
		})
	}
	// The same through the lab's WinRM endpoint, logged on with NTLM.
	r := runScript(t, client(t, l, "ex01", true), snapIn, ops.QueueGetArgs{Server: "EX01"})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), "A local error occurred.") {
		t.Errorf("the snap-in over WinRM with NTLM: %+v", r)
	}
	r = runScript(t, client(t, l, "ex01", true), ops.MustScript(ops.QueueGet), ops.QueueGetArgs{Endpoint: endpoint, Server: "EX01"})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), "0x8009030e") {
		t.Errorf("the endpoint over WinRM with NTLM and no credential: %+v", r)
	}
	// What the host received keeps no password.
	for _, r := range l.Received("ex01") {
		if strings.Contains(string(r.Args), cred.Password) {
			t.Fatalf("the lab's record of %s holds the password: %s", r.Op, r.Args)
		}
	}
}

// TestConnectorSelection chooses the receive connector of a connection as
// Exchange does: by port and local binding, then the narrowest remote
// range that holds the sender.
func TestConnectorSelection(t *testing.T) {
	h := newHost("ex02", "ex02.corp.example.com", "corp.example.com", "HQ", RoleExchange)
	h.IP = "10.0.0.6"
	h.connectors = defaultConnectors("EX02")
	add := func(c ReceiveConnector) {
		c.Identity, c.Server, c.TransportRole = `EX02\`+c.Name, "EX02", RoleHubTransport
		h.connectors = append(h.connectors, c)
	}
	add(ReceiveConnector{Name: "Relay", Bindings: []string{"0.0.0.0:2525"}, RemoteIPRanges: []string{"10.0.0.0/24"}, AuthMechanism: []string{"Tls", "ExternalAuthoritative"}, Enabled: true})
	add(ReceiveConnector{Name: "Printer", Bindings: []string{"0.0.0.0:2525"}, RemoteIPRanges: []string{"10.0.0.40"}, AuthMechanism: []string{"None"}, Enabled: true})
	add(ReceiveConnector{Name: "Branch", Bindings: []string{"0.0.0.0:2525"}, RemoteIPRanges: []string{"10.1.0.0(255.255.0.0)"}, AuthMechanism: []string{"Tls"}, Enabled: false})
	add(ReceiveConnector{Name: "Wide", Bindings: []string{"0.0.0.0:2525"}, RemoteIPRanges: []string{"10.0.0.0/8", "10.0.0.7"}, AuthMechanism: []string{"Tls"}, Enabled: true})
	add(ReceiveConnector{Name: "Lab", Bindings: []string{"10.0.0.6:2525"}, RemoteIPRanges: []string{"10.9.0.0-10.9.255.255"}, AuthMechanism: []string{"Tls"}, Enabled: true})
	tests := []struct {
		from string
		port int
		want string // "" for none
	}{
		{"10.0.0.5", 2525, "Relay"},
		{"10.0.0.40", 2525, "Printer"},
		{"10.0.0.7", 2525, "Wide"},   // its single address is narrower than Relay's /24
		{"10.200.0.1", 2525, "Wide"}, // only Wide's /8 holds it
		{"192.168.1.5", 2525, "Default EX02"},
		{"10.1.2.3", 2525, "Wide"}, // Branch, narrower, is disabled
		{"10.9.1.1", 2525, "Lab"},
		{"::ffff:10.0.0.5", 2525, "Relay"},
		{"2001:db8::5", 2525, "Default EX02"},
		{"10.0.0.5", 25, "Default Frontend EX02"},
		{"10.0.0.5", 465, "Client Proxy EX02"},
		{"10.0.0.5", 2526, ""},
	}
	for _, tt := range tests {
		c, ok := h.ConnectorFor(tt.from, tt.port)
		if got := map[bool]string{true: c.Name}[ok]; got != tt.want {
			t.Errorf("%s to port %d: %q, want %q", tt.from, tt.port, got, tt.want)
		}
	}
}

// TestParseIPRange reads the forms of RemoteIPRanges Exchange accepts.
func TestParseIPRange(t *testing.T) {
	tests := []struct {
		in, inside, outside string
	}{
		{"10.0.0.5", "10.0.0.5", "10.0.0.6"},
		{"10.0.0.0/24", "10.0.0.255", "10.0.1.0"},
		{"10.0.0.0(255.255.255.0)", "10.0.0.200", "10.0.1.1"},
		{"10.0.0.10-10.0.0.20", "10.0.0.15", "10.0.0.21"},
		{"0.0.0.0-255.255.255.255", "203.0.113.9", "2001:db8::1"},
		{"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1", "10.0.0.1"},
		{"2001:db8::/64", "2001:db8::ffff", "2001:db8:0:1::"},
	}
	for _, tt := range tests {
		r, err := parseIPRange(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !r.contains(mustAddr(t, tt.inside)) || r.contains(mustAddr(t, tt.outside)) {
			t.Errorf("%s: holds %s %v, holds %s %v", tt.in, tt.inside, r.contains(mustAddr(t, tt.inside)), tt.outside, r.contains(mustAddr(t, tt.outside)))
		}
	}
	for _, bad := range []string{"", "10.0.0", "10.0.0.20-10.0.0.10", "10.0.0.0(255.0.255.0)", "10.0.0.0/33", "10.0.0.1-::1"} {
		if _, err := parseIPRange(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestConnectorObjectsInDirectory reads the receive connectors over LDAP
// from the Global Catalog, as rectify does, and sees a change made through
// Exchange's endpoint land on the object.
func TestConnectorObjectsInDirectory(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	conn, err := ldap.DialURL("ldaps://"+l.LDAPAddr("dc02", ldapd.GCS), ldap.DialWithTLSConfig(&tls.Config{RootCAs: l.ca.Pool()}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Bind(l.Username(), l.Password()); err != nil {
		t.Fatal(err)
	}
	search := func() map[string]map[string][]string {
		t.Helper()
		res, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=msExchSmtpReceiveConnector)", []string{"msExchSmtpReceiveBindings", "msExchSmtpReceiveRemoteIPRanges",
				"msExchSMTPReceiveInboundSecurityFlag", "msExchSmtpReceiveEnabled", "msExchSmtpReceiveRole"}, nil))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string][]string{}
		for _, e := range res.Entries {
			attrs := map[string][]string{}
			for _, a := range e.Attributes {
				attrs[a.Name] = a.Values
			}
			out[e.DN] = attrs
		}
		return out
	}
	objects := search()
	if len(objects) != 8 {
		t.Fatalf("%d connector objects, want 4 per Exchange server: %v", len(objects), objects)
	}
	dn := "CN=Default EX02,CN=SMTP Receive Connectors,CN=Protocols,CN=EX02,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=First Organization,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=com"
	got := objects[dn]
	want := map[string][]string{
		"msExchSmtpReceiveBindings":            {"0.0.0.0:2525", "[::]:2525"},
		"msExchSmtpReceiveRemoteIPRanges":      {"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"},
		"msExchSMTPReceiveInboundSecurityFlag": {"15"}, // Tls, Integrated, BasicAuth, BasicAuthRequireTLS: ExchangeServer (16) is missing
		"msExchSmtpReceiveEnabled":             {"TRUE"},
		"msExchSmtpReceiveRole":                {"32"},
	}
	for name, values := range want {
		if diff := cmp.Diff(values, got[name]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	endpoint, cred := exchange(l, "ex02")
	runOp(t, client(t, l, "ex02", false), ops.ConnectorAddAuth, ops.ConnectorAddAuthArgs{Endpoint: endpoint, Credential: cred, Identity: `EX02\Default EX02`, AddAuthMechanism: []string{"ExchangeServer"}}, &ops.ConnectorChange{})
	if got := search()[dn]["msExchSMTPReceiveInboundSecurityFlag"]; !cmp.Equal(got, []string{"31"}) {
		t.Errorf("security flags after adding ExchangeServer: %v, want 31", got)
	}
}

// TestRetryQueueActsOnRetryOnly: Retry-Queue starts an attempt on a queue
// in Retry, whose outcome shows only later (the queue is Active until
// then), and leaves a queue in any other status alone.
func TestRetryQueueActsOnRetryOnly(t *testing.T) {
	o, _, err := seedOrg(KB979174(), map[string]string{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	o.attemptDelay = 200 * time.Millisecond
	ex01, _ := o.Host("ex01")
	q, _ := ex01.Queue(`EX01\3`)
	if q.Status != QueueRetry || q.LastRetryTime.IsZero() || !q.NextRetryTime.Equal(q.LastRetryTime.Add(retryInterval)) {
		t.Fatalf("seeded queue: %+v", q)
	}
	if ok, err := o.retryQueue(ex01, `EX01\3`); !ok || err != nil {
		t.Fatalf("retry: %v %v", ok, err)
	}
	o.settleQueues(ex01)
	if q, _ := ex01.Queue(`EX01\3`); q.Status != QueueActive || q.LastError != Error454 {
		t.Fatalf("at once after Retry-Queue: %+v, want Active with its last error", q)
	}
	// Active: a second Retry-Queue does nothing.
	if ok, err := o.retryQueue(ex01, `EX01\3`); ok || err != nil {
		t.Fatalf("retry of an Active queue: %v %v, want nothing done", ok, err)
	}
	time.Sleep(250 * time.Millisecond)
	o.settleQueues(ex01)
	q, _ = ex01.Queue(`EX01\3`)
	if q.Status != QueueRetry || q.LastError != Error454 || !q.NextRetryTime.After(q.LastRetryTime) {
		t.Fatalf("after the attempt: %+v, want Retry with a new retry time", q)
	}
	if _, err := o.retryQueue(ex01, `EX01\9`); err == nil {
		t.Error("Retry-Queue of an unknown queue did not fail")
	}
}

// TestHeldTicketOutlivesTheFix: a sender keeps using the ticket it holds
// for the receiver's SPN after the directory was fixed, until the ticket
// is purged (or expires); then the KDC issues one for the right account.
func TestHeldTicketOutlivesTheFix(t *testing.T) {
	sc := KB979174().WithFaults(FaultTicket)
	o, _, err := seedOrg(sc, map[string]string{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ex01, _ := o.Host("ex01")
	ex02, _ := o.Host("ex02")
	kinds := func() []string {
		var out []string
		for _, c := range o.Causes(ex01, ex02) {
			out = append(out, c.Kind+" "+c.KerberosCode)
		}
		return out
	}
	if diff := cmp.Diff([]string{CauseStaleTicket + " 0x29"}, kinds()); diff != "" {
		t.Fatalf("with the held ticket (-want +got):\n%s", diff)
	}
	// The ticket expires ten hours after it was issued, by ex01's clock.
	ex01.SetClockOffset(10 * time.Hour)
	ex02.SetClockOffset(10 * time.Hour)
	for _, dc := range o.DCs() {
		dc.SetClockOffset(10 * time.Hour)
	}
	if got := kinds(); len(got) != 0 {
		t.Fatalf("after the ticket expired: %v, want none", got)
	}
	ex01.SetClockOffset(0)
	ex02.SetClockOffset(0)
	for _, dc := range o.DCs() {
		dc.SetClockOffset(0)
	}
	if n := ex01.PurgeTickets(ops.LogonNetworkService); n != 1 {
		t.Fatalf("purge removed %d tickets, want 1", n)
	}
	if got := kinds(); len(got) != 0 {
		t.Fatalf("after the purge: %v, want none", got)
	}
	if o.attempt(ex01, ex02) {
		t.Fatal("the attempt after the purge failed")
	}
	if held := ex01.Tickets(ops.LogonNetworkService); len(held) != 1 || held[0].Account != "EX02$" {
		t.Fatalf("after the attempt ex01 holds %+v, want a ticket for EX02$", held)
	}
}

// TestRelayConnectorCapturesInternalMail: a custom connector on ex02 whose
// remote ranges hold ex01's address takes ex01's connections; it does not
// offer Exchange Server authentication, so mail from ex01 fails while the
// default connector is healthy, and event 1035 names the relay connector.
func TestRelayConnectorCapturesInternalMail(t *testing.T) {
	sc := KB979174().WithFaults()
	sc.Connectors = []ConnectorSpec{{
		Server: "ex02", Name: "Relay EX02", Bindings: []string{"0.0.0.0:2525"}, RemoteHosts: []string{"ex01"},
		RemoteIPRanges: []string{"192.0.2.0/24"}, AuthMechanism: []string{"Tls", "ExternalAuthoritative"}, PermissionGroups: []string{"ExchangeServers", "AnonymousUsers"},
	}}
	o, _, err := seedOrg(sc, map[string]string{"ex01": "192.0.2.11", "ex02": "192.0.2.12"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ex01, _ := o.Host("ex01")
	ex02, _ := o.Host("ex02")
	causes := o.Causes(ex01, ex02)
	if len(causes) != 1 || causes[0].Kind != CauseConnectorAuth || !strings.Contains(causes[0].Detail, `EX02\Relay EX02`) {
		t.Fatalf("ex01 -> ex02: %+v, want the relay connector as the cause", causes)
	}
	if c := o.Causes(ex02, ex01); len(c) != 0 {
		t.Errorf("ex02 -> ex01 (no relay on ex01): %+v", c)
	}
	if q, _ := ex01.Queue(`EX01\3`); q.LastError != Error454 {
		t.Errorf("EX01's queue: %+v, want the 454 error", q)
	}
	if ev := ex02.Events("Application"); len(ev) == 0 || ev[0].Data["param2"] != "Relay EX02" {
		t.Errorf("ex02's 1035 events name %v, want Relay EX02", ev)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
