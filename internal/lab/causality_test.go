package lab

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/ops"
)

// dialLDAP binds to a DC's LDAPS endpoint with the lab's account, TLS
// verified against the lab CA.
func dialLDAP(t *testing.T, l *Lab, dc string) *ldap.Conn {
	t.Helper()
	conf := &tls.Config{RootCAs: l.ca.Pool()}
	conn, err := ldap.DialURL("ldaps://"+l.LDAPAddr(dc, ldapd.LDAPS), ldap.DialWithTLSConfig(conf))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Bind(l.Username(), l.Password()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// retry retries a sender's queue through Exchange's endpoint, waits for
// the attempt's outcome, and returns the queue.
func retry(t *testing.T, l *Lab, c *winrm.Client, server string) ops.Queue {
	t.Helper()
	var res ops.QueueRetryResult
	endpoint, cred := exchange(l, server)
	runOp(t, c, ops.QueueRetry, ops.QueueRetryArgs{Endpoint: endpoint, Credential: cred, Server: server, Identities: []string{server + `\3`}, WaitSeconds: 10, PollSeconds: 1}, &res)
	if len(res.Queues) != 1 || !res.Settled || len(res.Retried) != 1 {
		t.Fatalf("retry %s: %+v", server, res)
	}
	return res.Queues[0]
}

func count1035(t *testing.T, c *winrm.Client) int {
	t.Helper()
	var res ops.EventsQueryResult
	runOp(t, c, ops.EventsQuery, ops.EventsQueryArgs{Log: "Application", Provider: "MSExchangeTransport", IDs: []int{1035}}, &res)
	return len(res.Events)
}

// TestQueueRetryClearsOnlyWhenEveryCauseIsFixed drives the KB979174
// scenario through the lab's own endpoints (WinRM with masterzen/winrm,
// LDAP with go-ldap): each queue retry keeps the 454 error and logs a new
// 1035 event until the last seeded cause is fixed, then the queues drain.
func TestQueueRetryClearsOnlyWhenEveryCauseIsFixed(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	ex01, ex02 := client(t, l, "ex01", false), client(t, l, "ex02", false)
	dc02 := client(t, l, "dc02", false)

	stillBroken := func(step string) {
		t.Helper()
		before := count1035(t, ex02)
		for _, q := range []struct {
			c      *winrm.Client
			server string
		}{{ex01, "EX01"}, {ex02, "EX02"}} {
			got := retry(t, l, q.c, q.server)
			if got.Status != "Retry" || got.LastError != Error454 || got.MessageCount == 0 {
				t.Fatalf("after %s: queue %s is %+v, want the 454 error to remain\ncauses: %+v", step, got.Identity, got, l.Org().Causes(mustHost(t, l, q.server), mustHost(t, l, otherEx(q.server))))
			}
		}
		if after := count1035(t, ex02); after != before+1 {
			t.Fatalf("after %s: ex02 logged %d new 1035 events for one failed retry from ex01, want 1", step, after-before)
		}
	}

	stillBroken("nothing")
	if r := run(t, ex02, "klist get SMTPSVC/ex01.corp.example.com"); r.Code == 0 {
		t.Errorf("klist from ex02 got a ticket while ex01's SPNs are missing: %+v", r)
	}

	// Kerberos logging shows the sender's Kerberos errors on the next retry.
	var change ops.RegistryChange
	runOp(t, ex01, ops.RegistrySet, ops.RegistrySetArgs{Path: `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`, Name: "LogLevel", Kind: ops.KindDWord, Data: 1, Expect: &ops.RegistryValue{}}, &change)
	if !change.KeyCreated || !change.Current.Exists {
		t.Fatalf("LogLevel set: %+v", change)
	}
	stillBroken("Kerberos logging")
	var krb ops.EventsQueryResult
	runOp(t, ex01, ops.EventsQuery, ops.EventsQueryArgs{Log: "System", Provider: "Microsoft-Windows-Security-Kerberos"}, &krb)
	codes := map[string]bool{}
	for _, e := range krb.Events {
		codes[e.Data["ErrorCode"]] = true
	}
	if !codes["0x25"] || !codes["0x29"] {
		t.Fatalf("ex01's Kerberos errors carry codes %v, want 0x25 (skew) and 0x29 (its held ticket is for EX02-OLD$)", codes)
	}

	// KB step 1: clocks.
	var resync ops.CommandOutput
	runOp(t, ex01, ops.TimeResync, ops.TimeResyncArgs{}, &resync)
	if n := len(resync.Commands); n == 0 || resync.Commands[n-1].ExitCode != 0 {
		t.Fatalf("time.resync: %+v", resync)
	}
	stillBroken("clock resync")

	// KB step 3: SPNs, over LDAP on dc01.
	conn := dialLDAP(t, l, "dc01")
	add := ldap.NewModifyRequest("CN=EX01,CN=Computers,DC=corp,DC=example,DC=com", nil)
	add.Add("servicePrincipalName", []string{"SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"})
	if err := conn.Modify(add); err != nil {
		t.Fatalf("add SPNs: %v", err)
	}
	stillBroken("SPNs added")
	del := ldap.NewModifyRequest("CN=EX02-OLD,CN=Computers,DC=corp,DC=example,DC=com", nil)
	del.Delete("servicePrincipalName", []string{"SMTPSVC/ex02.corp.example.com"})
	if err := conn.Modify(del); err != nil {
		t.Fatalf("remove the duplicate SPN: %v", err)
	}
	stillBroken("duplicate removed")

	// KB step 4: ports.
	if err := l.Unblock("ex02", "dc02", 88, "tcp"); err != nil {
		t.Fatal(err)
	}
	stillBroken("port unblocked")

	// KB step 6: the receive connector.
	var conns ops.ConnectorGetResult
	endpoint, cred := exchange(l, "ex02")
	runOp(t, ex02, ops.ConnectorGet, ops.ConnectorGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX02"}, &conns)
	var cc ops.ConnectorChange
	runOp(t, ex02, ops.ConnectorAddAuth, ops.ConnectorAddAuthArgs{
		Endpoint: endpoint, Credential: cred,
		Identity: `EX02\Default EX02`, AddAuthMechanism: []string{"Tls", "ExchangeServer"},
		AddPermissionGroups: []string{"ExchangeServers"}, Expect: &conns.Connectors[0],
	}, &cc)
	if !hasFold(cc.After.AuthMechanism, "ExchangeServer") {
		t.Fatalf("connector after: %+v", cc.After)
	}
	// The SPN writes on dc01 have not reached dc02, ex02's KDC; ex01 does
	// not ask its KDC: it holds a ticket, issued for EX02-OLD$.
	stillBroken("connector fixed")
	causes := func(pair [2]string) []string {
		var kinds []string
		for _, c := range l.Org().Causes(mustHost(t, l, pair[0]), mustHost(t, l, pair[1])) {
			kinds = append(kinds, c.Kind)
		}
		return kinds
	}
	for pair, want := range map[[2]string]string{{"ex01", "ex02"}: CauseStaleTicket, {"ex02", "ex01"}: CauseNotReplicated} {
		if kinds := causes(pair); len(kinds) != 1 || kinds[0] != want {
			t.Fatalf("%s -> %s: causes %v before the forced sync, want only %s", pair[0], pair[1], kinds, want)
		}
	}

	// KB step 2: dc02 pulls every partition from dc01, which repairs the
	// failing link and brings the SPN writes.
	var pulls ops.ReplReplicateArgs
	for _, nc := range l.Org().namingContexts() {
		pulls.Pulls = append(pulls.Pulls, ops.ReplPull{Source: "DC01", NamingContext: nc})
	}
	var sync ops.CommandOutput
	runOp(t, dc02, ops.ReplReplicate, pulls, &sync)
	for _, c := range sync.Commands {
		if res := ops.ParseReplicate(c); !res.OK {
			t.Fatalf("%s: %+v\n%s", c.Command, res, c.Output)
		}
	}

	// Every fix is in, yet ex01 keeps failing with the ticket it holds
	// until its Transport service's ticket cache is purged.
	if got := retry(t, l, ex01, "EX01"); got.Status != "Retry" || got.LastError != Error454 {
		t.Fatalf("EX01's queue before the purge: %+v, want the 454 error to remain", got)
	}
	if kinds := causes([2]string{"ex01", "ex02"}); len(kinds) != 1 || kinds[0] != CauseStaleTicket {
		t.Fatalf("ex01 -> ex02 before the purge: causes %v, want only %s", kinds, CauseStaleTicket)
	}
	var purge ops.CommandOutput
	runOp(t, ex01, ops.TicketsPurge, ops.TicketsPurgeArgs{LogonIDs: []string{ops.LogonSystem, ops.LogonNetworkService}}, &purge)
	if len(purge.Commands) != 2 || purge.Commands[1].ExitCode != 0 || !strings.Contains(purge.Commands[1].Output, "Ticket(s) purged!") {
		t.Fatalf("kerberos.purge: %+v", purge)
	}

	before := count1035(t, ex02)
	for _, s := range []struct {
		c      *winrm.Client
		server string
	}{{ex01, "EX01"}, {ex02, "EX02"}} {
		got := retry(t, l, s.c, s.server)
		want := ops.Queue{Identity: s.server + `\3`, DeliveryType: DeliveryRelayToMailbox, Status: "Ready", NextHopDomain: got.NextHopDomain, LastRetryTime: got.LastRetryTime}
		if got != want || got.LastRetryTime == "" {
			t.Errorf("queue after every fix: %+v, want %+v", got, want)
		}
	}
	var tickets ops.CommandOutput
	runOp(t, ex01, ops.TicketsList, ops.TicketsListArgs{LogonIDs: []string{ops.LogonNetworkService}}, &tickets)
	held, err := ops.ParseKlistTickets(tickets.Commands[0].Output)
	if err != nil || len(held) != 1 || held[0].Server != "SMTPSVC/ex02.corp.example.com" {
		t.Errorf("ex01's Transport service after the retry holds %+v (%v), want a new ticket for SMTPSVC/ex02.corp.example.com", held, err)
	}
	if after := count1035(t, ex02); after != before {
		t.Errorf("ex02 logged %d new 1035 events after the fixes", after-before)
	}
	r := run(t, dc02, "repadmin /showrepl /csv")
	if r.Code != 0 || strings.Contains(r.Stdout, ",1722") {
		t.Errorf("replication still fails after the forced sync:\n%s", r.Stdout)
	}
	if r := run(t, ex01, "klist get SMTPSVC/ex02.corp.example.com"); r.Code != 0 || !strings.Contains(r.Stdout, "has been retrieved successfully") {
		t.Errorf("klist from ex01 after every fix: %+v", r)
	}
}

func mustHost(t *testing.T, l *Lab, name string) *Host {
	t.Helper()
	h, ok := l.Host(name)
	if !ok {
		t.Fatalf("no host %s", name)
	}
	return h
}

func otherEx(server string) string {
	if strings.EqualFold(server, "EX01") {
		return "EX02"
	}
	return "EX01"
}
