package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// ConnectorAuth is the exchange.receive_connector_auth action (KB 979174
// step 6): the receive connector that takes mail from the other Exchange
// servers must offer Exchange Server authentication and admit the
// ExchangeServers permission group.
//
// It reads the server's receive connectors from their directory objects
// over rectify's own LDAP connection (no snap-in, no second hop), and finds
// the connector each sending server's connections land on as Exchange
// chooses it: by port and binding, then the narrowest RemoteIPRanges that
// holds the sender's address. A custom connector that captures the
// Exchange servers' mail without offering Exchange Server authentication
// (a relay connector, a common real cause) is the cause: it is reported
// with its ranges and blocked, never changed. rectify changes only the
// default internal connector, "Default <SERVER>" on the Transport service,
// unless identity names another.
//
// Set-ReceiveConnector replaces whole sets, so the change is the union of
// what the connector has and what it lacks, never a blind set; it runs
// through Exchange's management endpoint, where PermissionGroups (which no
// attribute stores) is also read. A connector whose mechanisms Exchange
// forbids to combine with ExchangeServer (ExternalAuthoritative, None) is
// reported, not changed.
type ConnectorAuth struct{}

var _ actions.Action = ConnectorAuth{}

// Schema implements actions.Action.
func (ConnectorAuth) Schema() actions.Schema {
	return actions.Schema{
		Description: "Ensures Exchange Server authentication on the receive connector that takes mail from the other Exchange servers.",
		Attributes: []actions.Attribute{
			{Name: "identity", Type: cty.String, Description: `Connector to change instead of the default internal one ("EX01\\Relay EX01"): set it to change a custom connector on purpose.`},
			{Name: "server", Type: cty.String, Description: "Exchange server name; default: the host's NetBIOS name (first label of its FQDN, upper case)."},
			{Name: "senders", Type: cty.List(cty.String), Description: "Inventory hosts whose mail this server receives; default: the step's other targets."},
			{Name: "port", Type: cty.Number, Default: cty.NumberIntVal(2525), Description: "Port the sending servers connect to: 2525 (the Transport service on Exchange 2013 and later), 25 on Exchange 2010."},
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

// senderNames returns the inventory hosts whose mail the target
// receives, as the step names them: every instance of a step that does not
// set senders gets the same list (the step's targets, the target itself
// among them), so that their reads of the senders' addresses are one.
// Names the inventory does not hold are left out.
func senderNames(inst actions.Instance) []string {
	if inst.Topology == nil {
		return nil
	}
	names := inst.Targets
	if inst.Config.Has("senders") {
		names = inst.Config.Strings("senders")
	}
	for i, n := range names {
		if _, ok := inst.Topology.Host(n); !ok {
			known := append([]string(nil), names[:i]...)
			for _, n := range names[i+1:] {
				if _, ok := inst.Topology.Host(n); ok {
					known = append(known, n)
				}
			}
			return known
		}
	}
	return names
}

func portOf(inst actions.Instance) int {
	if p := inst.Config.Int("port"); p > 0 && p < 65536 {
		return int(p)
	}
	return 2525
}

// Probe names.
const (
	probeConnectors = "connectors"
	probeEndpoint   = "endpoint"
	probeEvents     = "events1035"
	probeLocal      = "addresses"
	probeSenders    = "senders"
)

// Probes implements actions.Action: the connector objects of the forest
// (one Global Catalog search shared by every instance), the addresses of
// the target and of the senders (one read a sender, whose results the
// step's instances share), the connectors' permission groups
// through Exchange's endpoint, and the receiver's recent event 1035
// records, which name the connector that refused a sender.
func (ConnectorAuth) Probes(inst actions.Instance) ([]actions.Probe, error) {
	probes := []actions.Probe{{Name: probeConnectors, Lookup: &actions.LookupProbe{
		Domain: inst.Host.Domain, GlobalCatalog: true, Attribute: "objectClass", Values: []string{classConnector},
		Attributes: connectorAttributes,
	}}}
	addresses, err := ops.Lookup(ops.HostAddresses)
	if err != nil {
		return nil, err
	}
	probes = append(probes, actions.Probe{Name: probeLocal, Shell: &actions.ShellProbe{Script: addresses, Args: ops.HostAddressesArgs{}}})
	if names := senderNames(inst); len(names) > 0 {
		probes = append(probes, actions.Probe{Name: probeSenders, Shell: &actions.ShellProbe{Hosts: names, Script: addresses, Args: ops.HostAddressesArgs{}}})
	}
	events, err := ops.Lookup(ops.EventsQuery)
	if err != nil {
		return nil, err
	}
	probes = append(probes, actions.Probe{Name: probeEvents, Shell: &actions.ShellProbe{Script: events, Args: ops.EventsQueryArgs{
		Log: "Application", Provider: "MSExchangeTransport", IDs: []int{1035}, Since: inst.Now.Add(-24 * time.Hour).UTC().Format(time.RFC3339), Max: 50,
	}}})
	if noPath(inst.Host) == "" {
		get, err := ops.Lookup(ops.ConnectorGet)
		if err != nil {
			return nil, err
		}
		probes = append(probes, actions.Probe{Name: probeEndpoint, Shell: &actions.ShellProbe{Script: get, Args: ops.ConnectorGetArgs{Endpoint: endpointOf(inst.Host), Server: serverOf(inst)}}})
	}
	return probes, nil
}

// connectorState is what the action observed: the server's connectors
// (from the directory, with permission groups from the endpoint), where
// the senders' connections land (grouped by connector and range, see
// route), and the connectors event 1035 names.
type connectorState struct {
	Server     string      `json:"server"`
	Connectors []connector `json:"connectors"`
	Routes     []route     `json:"routes"`
	// Named are the connectors the receiver's event 1035 records of the
	// last 24 hours name. They inform the reviewer only, and are left out
	// of the recorded state: the window moves between plan and apply.
	Named []string `json:"-"`
	// Unreadable lists senders whose addresses could not be read.
	Unreadable []string `json:"unreadable,omitempty"`
}

// Observe implements actions.Action.
func (ConnectorAuth) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	entries, err := r.Entries(probeConnectors)
	if err != nil {
		return nil, err
	}
	st := connectorState{Server: serverOf(inst), Connectors: connectorsOf(entries, serverOf(inst)), Routes: []route{}}
	if _, ok := r[probeEndpoint]; ok {
		var res ops.ConnectorGetResult
		if err := r.Decode(probeEndpoint, &res); err != nil {
			return nil, err
		}
		for i, c := range st.Connectors {
			st.Connectors[i].PermissionGroups = []string{}
			for _, ec := range res.Connectors {
				if strings.EqualFold(ec.Name, c.Name) {
					st.Connectors[i].PermissionGroups = foldSet(ec.PermissionGroups).sorted()
				}
			}
		}
	}
	var local []netip.Addr
	if addrs, err := addressesOf(r[probeLocal]); err == nil {
		local = addrs
	}
	placeSenders(inst, &st, local, targetIdentity(inst, st.Server), r[probeSenders].Each)
	var events ops.EventsQueryResult
	if err := r.Decode(probeEvents, &events); err == nil {
		for _, e := range events.Events {
			if name := e.Data["param2"]; name != "" && !foldSet(st.Named).has(name) {
				st.Named = append(st.Named, name)
			}
		}
		sort.Strings(st.Named)
	}
	return st, nil
}

// addressesOf reads the result of a host.addresses read.
func addressesOf(r actions.Result) ([]netip.Addr, error) {
	switch {
	case r.Err != nil:
		return nil, r.Err
	case r.Output == nil:
		return nil, fmt.Errorf("no addresses were read")
	}
	var res ops.HostAddressesResult
	if err := r.Decode(&res); err != nil {
		return nil, fmt.Errorf("host.addresses returned %w", err)
	}
	var out []netip.Addr
	for _, text := range res.Addresses {
		if a, err := netip.ParseAddr(text); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out, nil
}

// connectorPayload is what apply sends.
type connectorPayload struct {
	Identity            string   `json:"identity"`
	AddAuthMechanism    []string `json:"add_auth_mechanism,omitempty"`
	AddPermissionGroups []string `json:"add_permission_groups,omitempty"`
	// RemoveAuthMechanism and RemovePermissionGroups are taken out (by an
	// undo).
	RemoveAuthMechanism    []string      `json:"remove_auth_mechanism,omitempty"`
	RemovePermissionGroups []string      `json:"remove_permission_groups,omitempty"`
	Expect                 ops.Connector `json:"expect"`
}

// accepts reports whether a connector lets Exchange servers authenticate:
// enabled, ExchangeServer among its mechanisms, ExchangeServers among its
// permission groups (unknown groups count as not).
func accepts(c connector) bool {
	return c.Enabled && foldSet(c.AuthMechanism).has("ExchangeServer") && foldSet(c.PermissionGroups).has("ExchangeServers")
}

func (c connector) find(list []connector) (connector, bool) {
	for _, x := range list {
		if strings.EqualFold(x.Identity, c.Identity) {
			return x, true
		}
	}
	return connector{}, false
}

func byIdentity(list []connector, identity string) (connector, bool) {
	return connector{Identity: identity}.find(list)
}

// targetIdentity returns the identity of the connector to change: the
// one identity names (on server unless it names one), else the default
// internal connector "SERVER\Default SERVER".
func targetIdentity(inst actions.Instance, server string) string {
	id := inst.Config.String("identity")
	if id == "" {
		id = server + `\Default ` + server
	}
	if !strings.Contains(id, `\`) {
		id = server + `\` + id
	}
	return id
}

// Plan implements actions.Action.
func (ConnectorAuth) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(connectorState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	kb := inst.Config.String("kb_step")
	server := st.Server
	targetID := targetIdentity(inst, server)
	findings := routeFindings(st)
	target, found := byIdentity(st.Connectors, targetID)
	if !found {
		var names []string
		for _, c := range st.Connectors {
			names = append(names, c.Identity)
		}
		return plans.Change{
			Action: plans.Blocked, Object: "receive connector " + targetID, KBStep: kb,
			Reason:   "no such receive connector among " + server + "'s connector objects in the directory",
			Findings: append(findings, "connectors found: "+strings.Join(names, ", "), "set identity to the connector that event 1035 names"),
		}, nil
	}
	object := "receive connector " + target.Identity

	// A connector other than the target takes some sender's mail and
	// refuses Exchange Server authentication: that is the cause.
	if ch, captured := captured(inst, st, target, kb, findings); captured {
		return ch, nil
	}
	if why := noPath(inst.Host); why != "" {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   "cannot read the connector's permission groups or change it: " + why,
			Findings: append(findings, "use an inventory authentication that provides a password or delegated Kerberos credentials for this host")}, nil
	}
	have := foldSet(target.AuthMechanism)
	switch {
	case have.has("ExternalAuthoritative"):
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   "the connector uses ExternalAuthoritative, which Exchange combines only with Tls: it cannot also offer ExchangeServer",
			Findings: append(findings, "AuthMechanism = "+strings.Join(target.AuthMechanism, ", "), "use another connector for internal mail, or change this one by hand")}, nil
	case have.has("None"):
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   "the connector's AuthMechanism is None, which Exchange allows only alone; it accepts no authentication by design",
			Findings: append(findings, "AuthMechanism = None", "review why the connector was set so before changing it")}, nil
	}
	addAuth := have.missing(inst.Config.Strings("auth_mechanisms"))
	addGroups := foldSet(target.PermissionGroups).missing(inst.Config.Strings("permission_groups"))
	if len(addAuth) == 0 && len(addGroups) == 0 {
		return plans.Change{Action: plans.NoOp, Object: object, Findings: findings}, nil
	}
	ch := plans.Change{
		Action: plans.Update, Object: object, KBStep: kb,
		Reason:   fmt.Sprintf("KB 979174 step %s: Exchange servers authenticate each other with Exchange Server authentication (Kerberos) on the connector that takes their mail", kb),
		Risk:     "Set-ReceiveConnector replaces whole sets; rectify writes the union of the current values and the missing ones, and refuses if the connector changed since the plan",
		Findings: append(findings, "write path: "+writePath(inst.Host)),
	}
	if len(addAuth) > 0 {
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "AuthMechanism", Before: target.AuthMechanism, After: have.union(addAuth)})
	}
	if len(addGroups) > 0 {
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "PermissionGroups", Before: target.PermissionGroups, After: foldSet(target.PermissionGroups).union(addGroups)})
	}
	ch.Undo = "remove " + strings.Join(append(append([]string(nil), addAuth...), addGroups...), ", ") + " again"
	p, err := json.Marshal(connectorPayload{Identity: target.Identity, AddAuthMechanism: addAuth, AddPermissionGroups: addGroups,
		Expect: ops.Connector{Identity: target.Identity, AuthMechanism: target.AuthMechanism, PermissionGroups: target.PermissionGroups}})
	if err != nil {
		return plans.Change{}, err
	}
	ch.Payload = p
	return ch, nil
}

// captured returns a blocked change when a connector other than the
// target takes a sender's connections and does not let Exchange servers
// authenticate; rectify does not change such a connector by itself.
func captured(inst actions.Instance, st connectorState, target connector, kb string, findings []string) (plans.Change, bool) {
	type capture struct {
		c     connector
		froms []string
		rng   []string
	}
	var caps []*capture
	index := map[string]*capture{}
	var lost []string
	for _, rt := range st.Routes {
		if rt.Connector == "" {
			lost = append(lost, rt.From...)
			continue
		}
		if strings.EqualFold(rt.Connector, target.Identity) {
			continue
		}
		c, _ := byIdentity(st.Connectors, rt.Connector)
		if accepts(c) {
			continue
		}
		cp := index[strings.ToLower(c.Identity)]
		if cp == nil {
			cp = &capture{c: c}
			index[strings.ToLower(c.Identity)] = cp
			caps = append(caps, cp)
		}
		cp.froms = append(cp.froms, rt.From...)
		if !contains(cp.rng, rt.Range) {
			cp.rng = append(cp.rng, rt.Range)
		}
	}
	switch {
	case len(caps) > 0:
		cp := caps[0]
		why := "does not offer Exchange Server authentication"
		if foldSet(cp.c.AuthMechanism).has("ExchangeServer") {
			why = "does not admit the ExchangeServers permission group"
		}
		ch := plans.Change{
			Action: plans.Blocked, Object: "receive connector " + cp.c.Identity, KBStep: kb,
			Reason: fmt.Sprintf("mail from %s lands on %s, not on %s: its RemoteIPRanges %s hold their addresses more narrowly than %s's, and it %s (AuthMechanism %s), so their mail fails with 454 4.7.0; rectify does not change a connector it was not told to",
				strings.Join(cp.froms, ", "), cp.c.Identity, target.Identity, strings.Join(cp.rng, ", "), target.Name, why, strings.Join(cp.c.AuthMechanism, ", ")),
			Attrs: []plans.Attr{
				{Name: "RemoteIPRanges", Before: cp.c.RemoteIPRanges},
				{Name: "Bindings", Before: cp.c.Bindings},
				{Name: "AuthMechanism", Before: cp.c.AuthMechanism},
			},
			Findings: append(findings,
				"take the Exchange servers' addresses out of "+cp.c.Identity+"'s RemoteIPRanges so that their mail reaches "+target.Identity,
				"or set identity = \""+cp.c.Identity+"\" if that connector should offer Exchange Server authentication"),
		}
		if cp.c.PermissionGroups != nil {
			ch.Attrs = append(ch.Attrs, plans.Attr{Name: "PermissionGroups", Before: cp.c.PermissionGroups})
		}
		return ch, true
	case len(lost) > 0:
		return plans.Change{
			Action: plans.Blocked, Object: "receive connector " + target.Identity, KBStep: kb,
			Reason:   fmt.Sprintf("no enabled receive connector of %s takes connections on port %d from %s", st.Server, portOf(inst), strings.Join(lost, ", ")),
			Findings: findings,
		}, true
	}
	return plans.Change{}, false
}

// routeFindings describes, for the reviewer, where the senders' mail
// lands, what the custom connectors cover, and what event 1035 names.
func routeFindings(st connectorState) []string {
	var out []string
	for _, rt := range st.Routes {
		from := strings.Join(rt.From, ", ")
		if rt.From == nil {
			from = fmt.Sprintf("%d servers (%d addresses)", rt.Senders, rt.Addresses)
		}
		to := "no connector"
		if rt.Connector != "" {
			to = rt.Connector + " (remote range " + rt.Range + ")"
		}
		out = append(out, "mail from "+from+" lands on "+to)
	}
	for _, c := range st.Connectors {
		if setupConnector(c.Name, st.Server) {
			continue
		}
		state := "enabled"
		if !c.Enabled {
			state = "disabled"
		}
		line := fmt.Sprintf("custom connector %s (%s, %s) binds %s and covers %s; AuthMechanism %s",
			c.Identity, c.TransportRole, state, strings.Join(c.Bindings, ", "), strings.Join(c.RemoteIPRanges, ", "), strings.Join(c.AuthMechanism, ", "))
		if len(c.Holds) > 0 {
			line += "; its ranges " + strings.Join(c.Holds, ", ") + " hold Exchange servers' addresses"
		}
		out = append(out, line)
	}
	if len(st.Named) > 0 {
		out = append(out, "event 1035 on this server names: "+strings.Join(st.Named, ", "))
	}
	if len(st.Unreadable) > 0 {
		out = append(out, "addresses not read from "+strings.Join(st.Unreadable, ", ")+": their connections were not placed")
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Apply implements actions.Action: the change runs through Exchange's
// management endpoint; the transport adds the credential.
func (ConnectorAuth) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p connectorPayload
	if err := json.Unmarshal(change.Payload, &p); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	args := ops.ConnectorAddAuthArgs{Endpoint: endpointOf(inst.Host), Identity: p.Identity, AddAuthMechanism: p.AddAuthMechanism, AddPermissionGroups: p.AddPermissionGroups,
		RemoveAuthMechanism: p.RemoveAuthMechanism, RemovePermissionGroups: p.RemovePermissionGroups, Expect: &p.Expect}
	cc, err := ops.Call[ops.ConnectorChange]{Op: ops.ConnectorAddAuth, Args: args, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	undo, err := json.Marshal(ops.ConnectorAddAuthArgs{Identity: p.Identity, RemoveAuthMechanism: p.AddAuthMechanism, RemovePermissionGroups: p.AddPermissionGroups,
		AddAuthMechanism: p.RemoveAuthMechanism, AddPermissionGroups: p.RemovePermissionGroups})
	if err != nil {
		return actions.Outcome{}, err
	}
	return actions.Outcome{After: cc.After, Undo: undo, Messages: []string{fmt.Sprintf("%s: AuthMechanism %s; PermissionGroups %s (through %s)",
		cc.After.Identity, strings.Join(cc.After.AuthMechanism, ", "), strings.Join(cc.After.PermissionGroups, ", "), endpointOf(inst.Host).ConnectionURI)}}, nil
}

var _ actions.Undoer = ConnectorAuth{}

// Undo implements actions.Undoer: the mechanisms and groups the change
// added are taken out again (the rest of the sets stays as it is now).
func (ConnectorAuth) Undo(ctx context.Context, inst actions.Instance, undo json.RawMessage, conns actions.Connections) (actions.Outcome, error) {
	var args ops.ConnectorAddAuthArgs
	if err := json.Unmarshal(undo, &args); err != nil || args.Identity == "" {
		return actions.Outcome{}, fmt.Errorf("unreadable undo data")
	}
	args.Endpoint, args.Credential = endpointOf(inst.Host), nil
	if _, err := (ops.Call[ops.ConnectorChange]{Op: ops.ConnectorAddAuth, Args: args, Mutates: true}).Run(ctx, conns, inst.Host.Name); err != nil {
		return actions.Outcome{}, err
	}
	return actions.Outcome{Messages: []string{"removed " + strings.Join(append(append([]string(nil), args.RemoveAuthMechanism...), args.RemovePermissionGroups...), ", ") + " from " + args.Identity}}, nil
}
