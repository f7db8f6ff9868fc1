package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// ConnectorAuth is the exchange.receive_connector_auth action: the receive
// connector that takes internal mail from other Exchange servers must offer
// Exchange Server authentication and admit the ExchangeServers permission
// group. Set-ReceiveConnector replaces whole sets, so the action always
// writes the union of what the connector has and what it lacks, never a
// blind set; a connector whose mechanisms Exchange forbids to combine with
// ExchangeServer (ExternalAuthoritative, None) is reported, not changed.
type ConnectorAuth struct{}

var _ actions.Action = ConnectorAuth{}

// Schema implements actions.Action.
func (ConnectorAuth) Schema() actions.Schema {
	return actions.Schema{
		Description: "Ensures Exchange Server authentication on the receive connector for internal mail.",
		Attributes: []actions.Attribute{
			{Name: "identity", Type: cty.String, Description: `Connector identity ("EX01\\Default EX01"); default: the Hub Transport connector "Default <SERVER>".`},
			{Name: "server", Type: cty.String, Description: "Exchange server name; default: the host's NetBIOS name (first label of its FQDN, upper case)."},
			{Name: "auth_mechanisms", Type: cty.List(cty.String), Default: cty.ListVal([]cty.Value{cty.StringVal("Tls"), cty.StringVal("ExchangeServer")})},
			{Name: "permission_groups", Type: cty.List(cty.String), Default: cty.ListVal([]cty.Value{cty.StringVal("ExchangeServers")})},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("6")},
		},
	}
}

// ServerName returns the Exchange server name of a host: the host variable
// exchange_server if set, else the first label of its FQDN (or its name),
// in upper case.
func ServerName(h actions.Host) string {
	if v := h.Vars["exchange_server"]; v != "" {
		return v
	}
	return h.NetBIOS()
}

func serverOf(inst actions.Instance) string {
	if s := inst.Config.String("server"); s != "" {
		return s
	}
	return ServerName(inst.Host)
}

// connectorState is the chosen connector, sets sorted, or why none was.
type connectorState struct {
	Found     bool          `json:"found"`
	Connector ops.Connector `json:"connector"`
	// Candidates names the connectors seen when none matched.
	Candidates []string `json:"candidates,omitempty"`
}

// Probes implements actions.Action.
func (ConnectorAuth) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.ConnectorGet)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{{Name: "connectors", Shell: &actions.ShellProbe{Script: s, Args: ops.ConnectorGetArgs{Server: serverOf(inst)}}}}, nil
}

// Observe implements actions.Action.
func (ConnectorAuth) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	var res ops.ConnectorGetResult
	if err := r.Decode("connectors", &res); err != nil {
		return nil, err
	}
	return chooseConnector(inst, res.Connectors), nil
}

func chooseConnector(inst actions.Instance, list []ops.Connector) connectorState {
	want := inst.Config.String("identity")
	server := serverOf(inst)
	var st connectorState
	for _, c := range list {
		match := false
		if want != "" {
			match = strings.EqualFold(c.Identity, want)
		} else {
			match = strings.EqualFold(c.Name, "Default "+server) && (c.TransportRole == "" || strings.EqualFold(c.TransportRole, "HubTransport"))
		}
		if match {
			c.AuthMechanism = foldSet(c.AuthMechanism).sorted()
			c.PermissionGroups = foldSet(c.PermissionGroups).sorted()
			c.Bindings = foldSet(c.Bindings).sorted()
			return connectorState{Found: true, Connector: c}
		}
		st.Candidates = append(st.Candidates, c.Identity)
	}
	return st
}

// connectorPayload is what apply sends.
type connectorPayload struct {
	Identity            string        `json:"identity"`
	AddAuthMechanism    []string      `json:"add_auth_mechanism,omitempty"`
	AddPermissionGroups []string      `json:"add_permission_groups,omitempty"`
	Expect              ops.Connector `json:"expect"`
}

// Plan implements actions.Action.
func (ConnectorAuth) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(connectorState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	kb := inst.Config.String("kb_step")
	if !st.Found {
		what := inst.Config.String("identity")
		if what == "" {
			what = "Default " + serverOf(inst)
		}
		return plans.Change{
			Action: plans.Blocked, Object: "receive connector " + what, KBStep: kb,
			Reason:   "no such receive connector on " + serverOf(inst),
			Findings: []string{"connectors found: " + strings.Join(st.Candidates, ", "), "set identity to the connector named in event 1035"},
		}, nil
	}
	c := st.Connector
	have := foldSet(c.AuthMechanism)
	object := "receive connector " + c.Identity
	switch {
	case have.has("ExternalAuthoritative"):
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   "the connector uses ExternalAuthoritative, which Exchange combines only with Tls: it cannot also offer ExchangeServer",
			Findings: []string{"AuthMechanism = " + strings.Join(c.AuthMechanism, ", "), "use another connector for internal mail, or change this one by hand"}}, nil
	case have.has("None"):
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   "the connector's AuthMechanism is None, which Exchange allows only alone; it accepts no authentication by design",
			Findings: []string{"AuthMechanism = None", "review why the connector was set so before changing it"}}, nil
	}
	addAuth := have.missing(inst.Config.Strings("auth_mechanisms"))
	addGroups := foldSet(c.PermissionGroups).missing(inst.Config.Strings("permission_groups"))
	if len(addAuth) == 0 && len(addGroups) == 0 {
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	ch := plans.Change{
		Action: plans.Update, Object: object, KBStep: kb,
		Reason: fmt.Sprintf("KB 979174 step %s: Exchange servers authenticate each other with Exchange Server authentication (Kerberos) on this connector", kb),
		Risk:   "Set-ReceiveConnector replaces whole sets; rectify writes the union of the current values and the missing ones, and refuses if the connector changed since the plan",
	}
	if len(addAuth) > 0 {
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "AuthMechanism", Before: c.AuthMechanism, After: have.union(addAuth)})
	}
	if len(addGroups) > 0 {
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "PermissionGroups", Before: c.PermissionGroups, After: foldSet(c.PermissionGroups).union(addGroups)})
	}
	ch.Undo = "remove " + strings.Join(append(append([]string(nil), addAuth...), addGroups...), ", ") + " again"
	p, err := json.Marshal(connectorPayload{Identity: c.Identity, AddAuthMechanism: addAuth, AddPermissionGroups: addGroups, Expect: c})
	if err != nil {
		return plans.Change{}, err
	}
	ch.Payload = p
	return ch, nil
}

// Apply implements actions.Action.
func (ConnectorAuth) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p connectorPayload
	if err := json.Unmarshal(change.Payload, &p); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	s, err := ops.Lookup(ops.ConnectorAddAuth)
	if err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	args, err := json.Marshal(ops.ConnectorAddAuthArgs{Identity: p.Identity, AddAuthMechanism: p.AddAuthMechanism, AddPermissionGroups: p.AddPermissionGroups, Expect: &p.Expect})
	if err != nil {
		return actions.Outcome{}, err
	}
	res, err := sh.RunScript(ctx, ops.ScriptRun{Script: s, Args: args, Mutates: true})
	if err != nil {
		return actions.Outcome{}, err
	}
	var cc ops.ConnectorChange
	if err := json.Unmarshal(res.Output, &cc); err != nil {
		return actions.Outcome{}, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, s.Op, "malformed answer: %v", err)
	}
	undo, err := json.Marshal(ops.ConnectorAddAuthArgs{Identity: p.Identity, RemoveAuthMechanism: p.AddAuthMechanism, RemovePermissionGroups: p.AddPermissionGroups})
	if err != nil {
		return actions.Outcome{}, err
	}
	after := chooseConnector(inst, []ops.Connector{cc.After})
	if !after.Found {
		after = connectorState{Found: true, Connector: cc.After}
	}
	return actions.Outcome{After: after, Undo: undo}, nil
}

var _ actions.Undoer = ConnectorAuth{}

// Undo implements actions.Undoer: the mechanisms and groups the change
// added are taken out again (the rest of the sets stays as it is now).
func (ConnectorAuth) Undo(ctx context.Context, inst actions.Instance, undo json.RawMessage, conns actions.Connections) (actions.Outcome, error) {
	var args ops.ConnectorAddAuthArgs
	if err := json.Unmarshal(undo, &args); err != nil || args.Identity == "" {
		return actions.Outcome{}, fmt.Errorf("unreadable undo data")
	}
	s, err := ops.Lookup(ops.ConnectorAddAuth)
	if err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	if _, err := sh.RunScript(ctx, ops.ScriptRun{Script: s, Args: undo, Mutates: true}); err != nil {
		return actions.Outcome{}, err
	}
	return actions.Outcome{Messages: []string{"removed " + strings.Join(append(append([]string(nil), args.RemoveAuthMechanism...), args.RemovePermissionGroups...), ", ") + " from " + args.Identity}}, nil
}
