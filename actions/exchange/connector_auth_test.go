package exchange

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

func connectorInstance(identity string) actions.Instance {
	id := cty.NullVal(cty.String)
	if identity != "" {
		id = cty.StringVal(identity)
	}
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"identity": id, "server": cty.NullVal(cty.String),
		"auth_mechanisms":   cty.ListVal([]cty.Value{cty.StringVal("Tls"), cty.StringVal("ExchangeServer")}),
		"permission_groups": cty.ListVal([]cty.Value{cty.StringVal("ExchangeServers")}),
		"kb_step":           cty.StringVal("6"),
	}))
	return actions.Instance{Step: "internal", Host: actions.Host{Name: "ex01", FQDN: "ex01.corp.example.com"}, Config: cfg}
}

func hub(auth, groups []string) ops.Connector {
	return ops.Connector{Identity: `EX01\Default EX01`, Name: "Default EX01", Server: "EX01", TransportRole: "HubTransport",
		Bindings: []string{"0.0.0.0:2525"}, AuthMechanism: auth, PermissionGroups: groups, Enabled: true}
}

func TestConnectorAuthPlan(t *testing.T) {
	frontend := ops.Connector{Identity: `EX01\Default Frontend EX01`, Name: "Default Frontend EX01", TransportRole: "FrontendTransport",
		AuthMechanism: []string{"Tls"}, PermissionGroups: []string{"AnonymousUsers"}}
	tests := []struct {
		name       string
		identity   string
		connectors []ops.Connector
		want       plans.Action
		wantAttrs  []plans.Attr
	}{
		{name: "missing ExchangeServer", connectors: []ops.Connector{frontend, hub([]string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS"}, []string{"ExchangeUsers", "ExchangeServers"})},
			want: plans.Update, wantAttrs: []plans.Attr{{Name: "AuthMechanism",
				Before: []string{"BasicAuth", "BasicAuthRequireTLS", "Integrated", "Tls"},
				After:  []string{"BasicAuth", "BasicAuthRequireTLS", "Integrated", "Tls", "ExchangeServer"}}}},
		{name: "missing group too", connectors: []ops.Connector{hub([]string{"Tls"}, []string{"ExchangeUsers"})}, want: plans.Update,
			wantAttrs: []plans.Attr{
				{Name: "AuthMechanism", Before: []string{"Tls"}, After: []string{"Tls", "ExchangeServer"}},
				{Name: "PermissionGroups", Before: []string{"ExchangeUsers"}, After: []string{"ExchangeUsers", "ExchangeServers"}}}},
		{name: "already right, other case", connectors: []ops.Connector{hub([]string{"tls", "exchangeserver"}, []string{"exchangeservers"})}, want: plans.NoOp},
		{name: "external authoritative", connectors: []ops.Connector{hub([]string{"Tls", "ExternalAuthoritative"}, []string{"ExchangeServers"})}, want: plans.Blocked},
		{name: "none", connectors: []ops.Connector{hub([]string{"None"}, []string{"AnonymousUsers"})}, want: plans.Blocked},
		{name: "no hub connector", connectors: []ops.Connector{frontend}, want: plans.Blocked},
		{name: "by identity", identity: `EX01\Default Frontend EX01`, connectors: []ops.Connector{frontend}, want: plans.Update,
			wantAttrs: []plans.Attr{
				{Name: "AuthMechanism", Before: []string{"Tls"}, After: []string{"Tls", "ExchangeServer"}},
				{Name: "PermissionGroups", Before: []string{"AnonymousUsers"}, After: []string{"AnonymousUsers", "ExchangeServers"}}}},
	}
	for _, tt := range tests {
		inst := connectorInstance(tt.identity)
		out, _ := json.Marshal(ops.ConnectorGetResult{Connectors: tt.connectors})
		st, err := ConnectorAuth{}.Observe(inst, actions.Results{"connectors": {Output: out}})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ch, err := ConnectorAuth{}.Plan(inst, st)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ch.Action != tt.want {
			t.Errorf("%s: action %s, want %s (%s)", tt.name, ch.Action, tt.want, ch.Reason)
		}
		if diff := cmp.Diff(tt.wantAttrs, ch.Attrs); tt.want == plans.Update && diff != "" {
			t.Errorf("%s: attrs (-want +got):\n%s", tt.name, diff)
		}
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
