package exchange

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// topo is an inventory of three Exchange servers for the tests.
type topo map[string]actions.Host

func (t topo) Host(name string) (actions.Host, bool) { h, ok := t[name]; return h, ok }

var hosts = topo{
	"ex01": {Name: "ex01", FQDN: "ex01.corp.example.com", Session: actions.Session{Auth: "ntlm", Credential: true}},
	"ex02": {Name: "ex02", FQDN: "ex02.corp.example.com", Session: actions.Session{Auth: "ntlm", Credential: true}},
	"ex03": {Name: "ex03", FQDN: "ex03.corp.example.com", Session: actions.Session{Auth: "ntlm", Credential: true}},
}

var addresses = map[string]string{"ex01": "10.0.0.5", "ex02": "10.0.0.6", "ex03": "10.1.0.7"}

func connectorInstance(identity string, host actions.Host) actions.Instance {
	id := cty.NullVal(cty.String)
	if identity != "" {
		id = cty.StringVal(identity)
	}
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"identity": id, "server": cty.NullVal(cty.String), "senders": cty.NullVal(cty.List(cty.String)),
		"port":              cty.NumberIntVal(2525),
		"auth_mechanisms":   cty.ListVal([]cty.Value{cty.StringVal("Tls"), cty.StringVal("ExchangeServer")}),
		"permission_groups": cty.ListVal([]cty.Value{cty.StringVal("ExchangeServers")}),
		"kb_step":           cty.StringVal("6"),
	}))
	return actions.Instance{Step: "connector", Host: host, Targets: []string{"ex01", "ex02", "ex03"}, Config: cfg, Topology: hosts,
		Now: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)}
}

// obj is a receive connector's directory object and its permission groups.
type obj struct {
	name     string
	flags    int
	role     int
	bindings []string
	ranges   []string
	enabled  string
	groups   []string
}

func (o obj) entry(server string) actions.Entry {
	dn := "CN=" + o.name + ",CN=SMTP Receive Connectors,CN=Protocols,CN=" + server + ",CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=First Organization,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=com"
	attrs := map[string][]string{
		"objectClass": {"top", "msExchSmtpReceiveConnector"}, "cn": {o.name},
		attrBindings: o.bindings, attrRemoteIPRanges: o.ranges,
		attrSecurityFlags: {strconv.Itoa(o.flags)}, attrRole: {strconv.Itoa(o.role)},
	}
	if o.enabled != "" {
		attrs[attrEnabled] = []string{o.enabled}
	}
	return actions.Entry{DN: dn, Attributes: attrs}
}

var all = []string{"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"}

// defaults are the connectors setup creates on EX02, with the hub one's
// AuthMechanism flags given.
func defaults(hubFlags int, hubGroups []string) []obj {
	return []obj{
		{name: "Default EX02", flags: hubFlags, role: 32, bindings: []string{"0.0.0.0:2525", "[::]:2525"}, ranges: all, groups: hubGroups},
		{name: "Client Proxy EX02", flags: 31, role: 32, bindings: []string{"0.0.0.0:465", "[::]:465"}, ranges: all, groups: []string{"ExchangeUsers", "ExchangeServers"}},
		{name: "Default Frontend EX02", flags: 31, role: 16384, bindings: []string{"0.0.0.0:25", "[::]:25"}, ranges: all, groups: []string{"AnonymousUsers", "ExchangeServers"}},
	}
}

var serverGroups = []string{"ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers"}

// results builds what the probes of ex02's instance read.
func results(t *testing.T, objs []obj, named ...string) actions.Results {
	t.Helper()
	r := actions.Results{}
	var entries []actions.Entry
	var got ops.ConnectorGetResult
	for _, o := range objs {
		entries = append(entries, o.entry("EX02"))
		got.Connectors = append(got.Connectors, ops.Connector{Name: o.name, PermissionGroups: o.groups})
	}
	// A connector of another server is not EX02's.
	entries = append(entries, obj{name: "Relay EX01", flags: 33, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.0.0.0/8"}}.entry("EX01"))
	r[probeConnectors] = actions.Result{Entries: entries}
	r[probeEndpoint] = actions.Result{Output: mustJSON(t, got)}
	each := map[string]actions.Result{}
	for name, a := range addresses {
		each[name] = actions.Result{Output: mustJSON(t, ops.HostAddressesResult{Addresses: []string{a}})}
	}
	r[probeLocal] = each["ex02"]
	r[probeSenders] = actions.Result{Each: each}
	var ev ops.EventsQueryResult
	for _, n := range named {
		ev.Events = append(ev.Events, ops.Event{ID: 1035, Data: map[string]string{"param2": n}})
	}
	r[probeEvents] = actions.Result{Output: mustJSON(t, ev)}
	return r
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConnectorAuthPlan(t *testing.T) {
	relay := obj{name: "Relay EX02", flags: 33, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.0.0.0/24"}, groups: []string{"ExchangeServers"}}
	tests := []struct {
		name      string
		identity  string
		objs      []obj
		want      plans.Action
		object    string
		wantAttrs []plans.Attr
		reason    []string // substrings of the reason
	}{
		{name: "missing ExchangeServer", objs: defaults(15, serverGroups), want: plans.Update, object: `receive connector EX02\Default EX02`,
			wantAttrs: []plans.Attr{{Name: "AuthMechanism",
				Before: []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS"},
				After:  []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"}}}},
		{name: "missing group too", objs: defaults(1, []string{"ExchangeUsers"}), want: plans.Update, object: `receive connector EX02\Default EX02`,
			wantAttrs: []plans.Attr{
				{Name: "AuthMechanism", Before: []string{"Tls"}, After: []string{"Tls", "ExchangeServer"}},
				{Name: "PermissionGroups", Before: []string{"ExchangeUsers"}, After: []string{"ExchangeUsers", "ExchangeServers"}}}},
		{name: "already right", objs: defaults(31, serverGroups), want: plans.NoOp},
		{name: "external authoritative", objs: defaults(33, serverGroups), want: plans.Blocked, reason: []string{"ExternalAuthoritative"}},
		{name: "none", objs: defaults(0, []string{"AnonymousUsers"}), want: plans.Blocked, reason: []string{"None"}},
		{name: "no default connector", objs: defaults(31, serverGroups)[1:], want: plans.Blocked, reason: []string{"no such receive connector"}},
		// The relay connector takes ex01's mail (10.0.0.5 in 10.0.0.0/24):
		// the cause, whatever Default EX02 offers.
		{name: "relay captures ex01", objs: append(defaults(31, serverGroups), relay), want: plans.Blocked, object: `receive connector EX02\Relay EX02`,
			reason: []string{"mail from ex01 (10.0.0.5) lands on EX02\\Relay EX02, not on EX02\\Default EX02", "10.0.0.0/24", "does not offer Exchange Server authentication"}},
		{name: "relay captures ex01 while Default lacks ExchangeServer", objs: append(defaults(15, serverGroups), relay), want: plans.Blocked, object: `receive connector EX02\Relay EX02`},
		{name: "a relay that accepts Exchange servers", objs: append(defaults(31, serverGroups), obj{name: "Relay EX02", flags: 17, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.0.0.0/24"}, groups: []string{"ExchangeServers"}}), want: plans.NoOp},
		{name: "a disabled relay", objs: append(defaults(31, serverGroups), obj{name: "Relay EX02", flags: 33, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.0.0.0/24"}, enabled: "FALSE"}), want: plans.NoOp},
		{name: "a relay on another port", objs: append(defaults(31, serverGroups), obj{name: "Relay EX02", flags: 33, role: 16384, bindings: []string{"0.0.0.0:25"}, ranges: []string{"10.0.0.0/24"}}), want: plans.NoOp},
		{name: "told to change the relay", identity: `EX02\Relay EX02`, objs: append(defaults(31, serverGroups), obj{name: "Relay EX02", flags: 1, role: 32, bindings: []string{"0.0.0.0:2525"}, ranges: []string{"10.0.0.0/24"}, groups: []string{"ExchangeUsers"}}),
			want: plans.Update, object: `receive connector EX02\Relay EX02`,
			wantAttrs: []plans.Attr{
				{Name: "AuthMechanism", Before: []string{"Tls"}, After: []string{"Tls", "ExchangeServer"}},
				{Name: "PermissionGroups", Before: []string{"ExchangeUsers"}, After: []string{"ExchangeUsers", "ExchangeServers"}}}},
		{name: "no connector on the port", objs: defaults(31, serverGroups)[1:2], identity: `EX02\Client Proxy EX02`, want: plans.Blocked, reason: []string{"no enabled receive connector of EX02 takes connections on port 2525"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := connectorInstance(tt.identity, hosts["ex02"])
			st, err := ConnectorAuth{}.Observe(inst, results(t, tt.objs))
			if err != nil {
				t.Fatal(err)
			}
			ch, err := ConnectorAuth{}.Plan(inst, st)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Action != tt.want {
				t.Fatalf("action %s, want %s (%s)", ch.Action, tt.want, ch.Reason)
			}
			if tt.object != "" && ch.Object != tt.object {
				t.Errorf("object %q, want %q", ch.Object, tt.object)
			}
			for _, s := range tt.reason {
				if !strings.Contains(ch.Reason, s) {
					t.Errorf("reason %q does not say %q", ch.Reason, s)
				}
			}
			if tt.want == plans.Update {
				if diff := cmp.Diff(tt.wantAttrs, ch.Attrs); diff != "" {
					t.Errorf("attrs (-want +got):\n%s", diff)
				}
				if !strings.Contains(strings.Join(ch.Findings, "\n"), "write path: Exchange's management endpoint http://ex02.corp.example.com/PowerShell/") {
					t.Errorf("the plan does not say which path the change uses: %q", ch.Findings)
				}
			}
		})
	}
}

// TestConnectorAuthFindings: the plan says where each sender's mail lands,
// what the custom connectors cover, and which connector event 1035 names.
func TestConnectorAuthFindings(t *testing.T) {
	inst := connectorInstance("", hosts["ex02"])
	objs := append(defaults(31, serverGroups), obj{name: "Scanner EX02", flags: 0, role: 16384, bindings: []string{"0.0.0.0:25"}, ranges: []string{"10.0.0.0/16"}})
	st, err := ConnectorAuth{}.Observe(inst, results(t, objs, "Default EX02"))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ConnectorAuth{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`mail from ex01 (10.0.0.5), ex03 (10.1.0.7) lands on EX02\Default EX02 (remote range 0.0.0.0-255.255.255.255)`,
		`custom connector EX02\Scanner EX02 (FrontendTransport, enabled) binds 0.0.0.0:25 and covers 10.0.0.0/16; AuthMechanism None; its ranges 10.0.0.0/16 hold Exchange servers' addresses`,
		`event 1035 on this server names: Default EX02`,
	}
	if diff := cmp.Diff(want, ch.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestConnectorAuthRefusesEarly: a host whose inventory authentication
// gives no credential beyond the session is refused in the plan, and
// Exchange's endpoint is not even read.
func TestConnectorAuthRefusesEarly(t *testing.T) {
	h := hosts["ex02"]
	h.Session = actions.Session{Auth: "ntlm"}
	inst := connectorInstance("", h)
	probes, err := ConnectorAuth{}.Probes(inst)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probes {
		if p.Shell != nil && ops.NeedsCredential(p.Shell.Script.Op) {
			t.Errorf("probe %s reads through Exchange's endpoint", p.Name)
		}
	}
	r := results(t, defaults(15, serverGroups))
	delete(r, probeEndpoint)
	st, err := ConnectorAuth{}.Observe(inst, r)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ConnectorAuth{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != plans.Blocked || !strings.Contains(ch.Reason, "needs an explicit credential or delegated Kerberos credentials") {
		t.Errorf("%s: %s", ch.Action, ch.Reason)
	}
}

func TestServerName(t *testing.T) {
	tests := []struct {
		h    actions.Host
		want string
	}{
		{actions.Host{Name: "ex01", FQDN: "ex01.corp.example.com"}, "EX01"},
		{actions.Host{Name: "mail-a"}, "MAIL-A"},
		{actions.Host{Name: "x", Vars: map[string]string{"exchange_server": "EXCH2016"}}, "EXCH2016"},
	}
	for _, tt := range tests {
		if got := ServerName(tt.h); got != tt.want {
			t.Errorf("ServerName(%+v) = %q, want %q", tt.h, got, tt.want)
		}
	}
}

// TestConnectorStateIgnoresTheEventWindow: the 1035 events of the last 24
// hours inform the plan's findings but not the recorded state, which must
// not change because an event aged out between plan and apply.
func TestConnectorStateIgnoresTheEventWindow(t *testing.T) {
	inst := connectorInstance("", hosts["ex02"])
	a, err := ConnectorAuth{}.Observe(inst, results(t, defaults(31, serverGroups), "Default EX02"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ConnectorAuth{}.Observe(inst, results(t, defaults(31, serverGroups)))
	if err != nil {
		t.Fatal(err)
	}
	_, da, _ := plans.EncodeState(a)
	_, db, _ := plans.EncodeState(b)
	if da != db {
		t.Error("the state's digest depends on the 1035 events read")
	}
}
