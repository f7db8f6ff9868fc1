package exchange

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// organisation is n Exchange servers, ex0000 to ex<n-1>, where server i
// has the address 10.<i/250>.<i%250>.10: the first 250 are in 10.0.0.0/16.
func organisation(t *testing.T, n int) (topo, []string, map[string]actions.Result) {
	t.Helper()
	org := topo{}
	var names []string
	each := map[string]actions.Result{}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("ex%04d", i)
		addr := fmt.Sprintf("10.%d.%d.10", i/250, i%250)
		org[name] = actions.Host{Name: name, FQDN: name + ".corp.example.com", Session: actions.Session{Auth: "ntlm", Credential: true}}
		names = append(names, name)
		each[name] = actions.Result{Output: mustJSON(t, ops.HostAddressesResult{Addresses: []string{addr}})}
	}
	return org, names, each
}

// scaleInstance is the instance of the receiving server recv among the
// organisation's servers.
func scaleInstance(org topo, names []string, recv string) actions.Instance {
	inst := connectorInstance("", org[recv])
	inst.Targets, inst.Topology = names, org
	return inst
}

// TestConnectorAuthNamesCapturedSendersAmongMany: among a thousand
// senders, a relay connector on EX0500 whose range holds twenty of them is
// reported with exactly those twenty senders' names and addresses and its
// range, while the many senders whose mail lands on the default connector
// are counted, not listed: the observed state of one server does not grow
// with the organisation.
func TestConnectorAuthNamesCapturedSendersAmongMany(t *testing.T) {
	org, names, each := organisation(t, 1000)
	recv := "ex0500"
	server := "EX0500"
	relay := obj{name: "Relay " + server, flags: 33, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.1.0.0-10.1.19.255"}, groups: []string{"ExchangeServers"}}
	objs := append(defaultsOf(server, 31, serverGroups), relay)
	r := actions.Results{}
	var got ops.ConnectorGetResult
	var entries []actions.Entry
	for _, o := range objs {
		entries = append(entries, o.entry(server))
		got.Connectors = append(got.Connectors, ops.Connector{Name: o.name, PermissionGroups: o.groups})
	}
	// Every other server's connectors are in the forest's answer too.
	for _, n := range names {
		if n != recv {
			for _, o := range defaultsOf(strings.ToUpper(n), 31, serverGroups) {
				entries = append(entries, o.entry(strings.ToUpper(n)))
			}
		}
	}
	r[probeConnectors] = actions.Result{Entries: entries}
	r[probeEndpoint] = actions.Result{Output: mustJSON(t, got)}
	r[probeLocal] = each[recv]
	r[probeSenders] = actions.Result{Each: each}
	r[probeEvents] = actions.Result{Output: mustJSON(t, ops.EventsQueryResult{})}

	inst := scaleInstance(org, names, recv)
	st, err := ConnectorAuth{}.Observe(inst, r)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ConnectorAuth{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != plans.Blocked || ch.Object != `receive connector EX0500\Relay EX0500` {
		t.Fatalf("%s %s: %s", ch.Action, ch.Object, ch.Reason)
	}
	var captured []string
	for i := 250; i < 270; i++ {
		captured = append(captured, fmt.Sprintf("ex%04d (10.1.%d.10)", i, i-250))
	}
	wantReason := "mail from " + strings.Join(captured, ", ") + " lands on EX0500\\Relay EX0500, not on EX0500\\Default EX0500: its RemoteIPRanges 10.1.0.0-10.1.19.255 hold"
	if !strings.HasPrefix(ch.Reason, wantReason) {
		t.Errorf("reason:\n%s\nwant it to start with:\n%s", ch.Reason, wantReason)
	}
	c := st.(connectorState)
	wantRoutes := []route{
		{Connector: `EX0500\Default EX0500`, Range: "0.0.0.0-255.255.255.255", Senders: 979, Addresses: 979},
		{Connector: `EX0500\Relay EX0500`, Range: "10.1.0.0-10.1.19.255", Senders: 20, Addresses: 20, From: captured},
	}
	if diff := cmp.Diff(wantRoutes, c.Routes, cmp.AllowUnexported(route{}), cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".finding" || p.Last().String() == ".last"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if len(c.Connectors) != 4 {
		t.Errorf("%d connectors kept, want EX0500's 4", len(c.Connectors))
	}
	if want := "mail from 979 servers (979 addresses) lands on EX0500\\Default EX0500 (remote range 0.0.0.0-255.255.255.255)"; !contains(ch.Findings, want) {
		t.Errorf("findings %q\ndo not say %q", ch.Findings, want)
	}
}

// defaultsOf is defaults for another server than EX02.
func defaultsOf(server string, hubFlags int, hubGroups []string) []obj {
	out := defaults(hubFlags, hubGroups)
	for i := range out {
		out[i].name = strings.Replace(out[i].name, "EX02", server, 1)
	}
	return out
}

// TestConnectorStateDoesNotGrowWithTheOrganisation: where every sender's
// mail lands on the default connector, a server's recorded state is the
// same size at 100 and at 1,000 servers, and stays exact: a sender moving
// to another connector changes its digest.
func TestConnectorStateDoesNotGrowWithTheOrganisation(t *testing.T) {
	size := func(n int, moved bool) (int, string) {
		org, names, each := organisation(t, n)
		// A relay connector that accepts Exchange servers holds 10.0.0.5,
		// which no server has until ex0001 moves to it.
		r := results(t, append(defaults(31, serverGroups), obj{name: "Relay EX02", flags: 17, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.0.0.5"}, groups: []string{"ExchangeServers"}}))
		if moved {
			each["ex0001"] = actions.Result{Output: mustJSON(t, ops.HostAddressesResult{Addresses: []string{"10.0.0.5"}})}
		}
		r[probeLocal] = each["ex0002"]
		r[probeSenders] = actions.Result{Each: each}
		inst := scaleInstance(org, names, "ex0002")
		inst.Config = connectorInstance("", hosts["ex02"]).Config
		inst.Host = actions.Host{Name: "ex0002", FQDN: "ex02.corp.example.com", Vars: map[string]string{"exchange_server": "EX02"}, Session: actions.Session{Auth: "ntlm", Credential: true}}
		st, err := ConnectorAuth{}.Observe(inst, r)
		if err != nil {
			t.Fatal(err)
		}
		raw, digest, err := plans.EncodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		return len(raw), digest
	}
	small, _ := size(100, false)
	large, digest := size(1000, false)
	if large > small+2 { // "99" and "999" senders and addresses
		t.Errorf("the state is %d bytes at 1,000 servers and %d at 100", large, small)
	}
	if _, moved := size(1000, true); moved == digest {
		t.Error("a sender whose mail moved to another connector left the state's digest unchanged")
	}
}

// TestConnectorProbesAreSharedByTheStep: however many servers send, an
// instance lists one read of their addresses, naming the same list as
// every other instance of the step, so that the engine reads each server
// once and the instances share the results.
func TestConnectorProbesAreSharedByTheStep(t *testing.T) {
	org, names, _ := organisation(t, 1000)
	var lists [][]string
	for _, h := range []string{"ex0001", "ex0999"} {
		probes, err := ConnectorAuth{}.Probes(scaleInstance(org, names, h))
		if err != nil {
			t.Fatal(err)
		}
		if len(probes) != 5 {
			t.Errorf("%s lists %d probes, want 5", h, len(probes))
		}
		for _, p := range probes {
			if p.Name == probeSenders {
				lists = append(lists, p.Shell.Hosts)
			}
		}
	}
	if len(lists) != 2 || len(lists[0]) != 1000 || reflect.ValueOf(lists[0]).Pointer() != reflect.ValueOf(lists[1]).Pointer() {
		t.Errorf("the instances do not name the step's one list of senders")
	}
}

func TestOtherServer(t *testing.T) {
	const tail = ",CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=First Organization,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=com"
	tests := []struct {
		dn   string
		want bool
	}{
		{"CN=Default EX01,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01" + tail, true},
		{"CN=Default EX02,CN=SMTP Receive Connectors,CN=Protocols,CN=EX02" + tail, false},
		{"CN=Default EX02,CN=SMTP Receive Connectors,CN=Protocols,cn=ex02" + tail, false},
		// Escapes, quotes, spaces and short DNs are left to ParseDN.
		{`CN=Relay\, internal,CN=SMTP Receive Connectors,CN=Protocols,CN=EX02` + tail, false},
		{`CN=Relay\, internal,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01` + tail, false},
		{`CN=Default EX02,CN=SMTP Receive Connectors,CN=Protocols,CN=\45X02` + tail, false},
		{"CN=Default EX02, CN=SMTP Receive Connectors, CN=Protocols, CN=EX02" + tail, false},
		{"CN=Default EX02,CN=SMTP Receive Connectors,CN=Protocols", false},
		{"CN=Default EX01,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01", true},
		{`CN="Relay, internal",CN=SMTP Receive Connectors,CN=Protocols,CN=EX01` + tail, false},
		{"CN=Default EX02,CN=SMTP Receive Connectors,CN=Protocols,CN=EX02+OU=x" + tail, false},
	}
	for _, tt := range tests {
		if got := otherServer(tt.dn, "EX02"); got != tt.want {
			t.Errorf("otherServer(%q, EX02) = %v, want %v", tt.dn, got, tt.want)
		}
	}
	// Every DN otherServer passes is still judged by ParseDN.
	e := obj{name: "Default EX02", flags: 31, role: 32}.entry(`\45X02`)
	if got := connectorsOf([]actions.Entry{e}, "EX02"); len(got) != 1 {
		t.Errorf("a connector whose DN escapes its server's name was dropped: %v", got)
	}
}
