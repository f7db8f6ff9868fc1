package exchange

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// TestConnectorPlanUndo plans the undo of a change that added
// ExchangeServer and the ExchangeServers group to EX01's default
// connector, against the connector as it may be found later.
func TestConnectorPlanUndo(t *testing.T) {
	const id = `EX01\Default EX01`
	undo, _ := json.Marshal(ops.ConnectorAddAuthArgs{Identity: id, RemoveAuthMechanism: []string{"ExchangeServer"}, RemovePermissionGroups: []string{"ExchangeServers"}})
	after, _ := json.Marshal(ops.Connector{Identity: id, AuthMechanism: []string{"Tls", "ExchangeServer"}, PermissionGroups: []string{"ExchangeUsers", "ExchangeServers"}})
	state := func(auth, groups []string) connectorState {
		return connectorState{Server: "EX01", Connectors: []connector{{Identity: id, AuthMechanism: auth, PermissionGroups: groups}}}
	}
	tests := []struct {
		name    string
		state   connectorState
		action  plans.Action
		reason  string
		payload *connectorPayload
	}{
		{name: "as the change left it", state: state([]string{"Tls", "ExchangeServer"}, []string{"ExchangeUsers", "ExchangeServers"}), action: plans.Update,
			payload: &connectorPayload{Identity: id, RemoveAuthMechanism: []string{"ExchangeServer"}, RemovePermissionGroups: []string{"ExchangeServers"},
				Expect: ops.Connector{Identity: id, AuthMechanism: []string{"Tls", "ExchangeServer"}, PermissionGroups: []string{"ExchangeUsers", "ExchangeServers"}}}},
		{name: "already as before", state: state([]string{"Tls"}, []string{"ExchangeUsers"}), action: plans.NoOp},
		{name: "someone added a mechanism since", state: state([]string{"Tls", "ExchangeServer", "BasicAuth"}, []string{"ExchangeUsers", "ExchangeServers"}), action: plans.Blocked,
			reason: "cannot be undone: the connector changed since run 3's change (it left AuthMechanism Tls, ExchangeServer and PermissionGroups ExchangeUsers, ExchangeServers; they are now Tls, ExchangeServer, BasicAuth and ExchangeUsers, ExchangeServers); undoing would overwrite that change"},
		{name: "the connector is gone", state: connectorState{Server: "EX01"}, action: plans.Blocked,
			reason: `cannot be undone: no receive connector EX01\Default EX01 among EX01's connector objects now`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := ConnectorAuth{}.PlanUndo(actions.Instance{}, actions.Done{Run: 3, Undo: undo, After: after}, tt.state)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Action != tt.action || tt.reason != "" && ch.Reason != tt.reason {
				t.Errorf("PlanUndo = %s %q, want %s %q", ch.Action, ch.Reason, tt.action, tt.reason)
			}
			if tt.payload == nil {
				return
			}
			var p connectorPayload
			if err := json.Unmarshal(ch.Payload, &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*tt.payload, p); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
		})
	}
}
