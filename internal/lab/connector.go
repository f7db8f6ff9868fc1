package lab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

// Transport roles of receive connectors.
const (
	RoleHubTransport      = "HubTransport"
	RoleFrontendTransport = "FrontendTransport"
)

// authMechanisms are the values Set-ReceiveConnector -AuthMechanism
// accepts, in the order Exchange prints them.
var authMechanisms = []string{"None", "Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer", "ExternalAuthoritative"}

// permissionGroups are the values -PermissionGroups accepts, in order.
var permissionGroups = []string{"None", "AnonymousUsers", "ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers", "Partners", "Custom"}

// ReceiveConnector is one receive connector of an Exchange server.
type ReceiveConnector struct {
	Identity         string // "EX01\Default EX01"
	Name             string
	Server           string // "EX01"
	TransportRole    string
	Bindings         []string
	RemoteIPRanges   []string
	AuthMechanism    []string
	PermissionGroups []string
	Enabled          bool
	RequireTLS       bool
}

// clone copies the connector's lists.
func (c ReceiveConnector) clone() ReceiveConnector {
	c.Bindings = slices.Clone(c.Bindings)
	c.RemoteIPRanges = slices.Clone(c.RemoteIPRanges)
	c.AuthMechanism = slices.Clone(c.AuthMechanism)
	c.PermissionGroups = slices.Clone(c.PermissionGroups)
	return c
}

// opsConnector renders the connector as exchange.connector.get reports it.
func (c ReceiveConnector) opsConnector() ops.Connector {
	c = c.clone()
	return ops.Connector{
		Identity:         c.Identity,
		Name:             c.Name,
		Server:           c.Server,
		TransportRole:    c.TransportRole,
		Bindings:         nonNil(c.Bindings),
		RemoteIPRanges:   nonNil(c.RemoteIPRanges),
		AuthMechanism:    nonNil(c.AuthMechanism),
		PermissionGroups: nonNil(c.PermissionGroups),
		Enabled:          c.Enabled,
		RequireTLS:       c.RequireTLS,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// hasFold reports whether list holds v, ignoring case.
func hasFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
}

// allAddresses is the RemoteIPRanges setup gives its connectors: every IPv6
// and every IPv4 address, as Get-ReceiveConnector prints them.
var allAddresses = []string{"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"}

// defaultConnectors are the receive connectors Exchange 2016 setup creates
// on a Mailbox server, as Microsoft's "Default Receive connectors created
// during setup" lists them: on the Transport (hub) service "Default
// <Server>" (2525) and "Client Proxy <Server>" (465), on the Front End
// Transport service "Default Frontend <Server>" (25) and "Client Frontend
// <Server>" (587). ("Outbound Proxy Frontend <Server>", 717, plays no part
// in mail between Exchange servers and is left out.)
func defaultConnectors(server string) []ReceiveConnector {
	hub := "Default " + server
	proxy := "Client Proxy " + server
	front := "Default Frontend " + server
	client := "Client Frontend " + server
	return []ReceiveConnector{
		{
			Identity: server + `\` + hub, Name: hub, Server: server, TransportRole: RoleHubTransport,
			Bindings:         []string{"0.0.0.0:2525", "[::]:2525"},
			RemoteIPRanges:   slices.Clone(allAddresses),
			AuthMechanism:    []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"},
			PermissionGroups: []string{"ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers"},
			Enabled:          true,
		},
		{
			Identity: server + `\` + proxy, Name: proxy, Server: server, TransportRole: RoleHubTransport,
			Bindings:         []string{"0.0.0.0:465", "[::]:465"},
			RemoteIPRanges:   slices.Clone(allAddresses),
			AuthMechanism:    []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"},
			PermissionGroups: []string{"ExchangeUsers", "ExchangeServers"},
			Enabled:          true,
		},
		{
			Identity: server + `\` + client, Name: client, Server: server, TransportRole: RoleFrontendTransport,
			Bindings:         []string{"0.0.0.0:587", "[::]:587"},
			RemoteIPRanges:   slices.Clone(allAddresses),
			AuthMechanism:    []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS"},
			PermissionGroups: []string{"ExchangeUsers"},
			Enabled:          true,
		},
		{
			Identity: server + `\` + front, Name: front, Server: server, TransportRole: RoleFrontendTransport,
			Bindings:         []string{"0.0.0.0:25", "[::]:25"},
			RemoteIPRanges:   slices.Clone(allAddresses),
			AuthMechanism:    []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"},
			PermissionGroups: []string{"AnonymousUsers", "ExchangeServers", "ExchangeLegacyServers"},
			Enabled:          true,
		},
	}
}

// canonicalValues checks values against the allowed names (case-insensitive),
// returns them spelled as Exchange spells them, deduplicated and in
// Exchange's order.
func canonicalValues(param string, allowed, values []string) ([]string, error) {
	seen := map[string]bool{}
	for _, v := range values {
		i := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, strings.TrimSpace(v)) })
		if i < 0 {
			return nil, fmt.Errorf("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.%sFlags\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"",
				param, v, param, v, strings.Join(allowed, ", "))
		}
		seen[allowed[i]] = true
	}
	var out []string
	for _, a := range allowed {
		if seen[a] {
			out = append(out, a)
		}
	}
	return out, nil
}

// validateReceiveConnector applies the rules Set-ReceiveConnector enforces
// on the whole authentication set.
func validateReceiveConnector(c ReceiveConnector) error {
	auth := c.AuthMechanism
	if hasFold(auth, "None") && len(auth) > 1 {
		return fmt.Errorf("The value \"None\" of AuthMechanism can't be combined with any other value. Receive connector: %s", c.Identity)
	}
	if hasFold(auth, "ExternalAuthoritative") {
		for _, a := range auth {
			if !strings.EqualFold(a, "ExternalAuthoritative") && !strings.EqualFold(a, "Tls") {
				return fmt.Errorf("The authentication mechanism ExternalAuthoritative can only be combined with Tls; %s can't be set on receive connector %s.", a, c.Identity)
			}
		}
	}
	if hasFold(auth, "BasicAuthRequireTLS") && (!hasFold(auth, "BasicAuth") || !hasFold(auth, "Tls")) {
		return fmt.Errorf("The authentication mechanism BasicAuthRequireTLS requires both BasicAuth and Tls on receive connector %s.", c.Identity)
	}
	if c.RequireTLS && !hasFold(auth, "Tls") {
		return fmt.Errorf("RequireTLS can't be set to $true on receive connector %s unless the authentication mechanism Tls is enabled.", c.Identity)
	}
	return nil
}

// setAuth computes the sets an exchange.connector.add_auth run asks for:
// the current sets plus the additions minus the removals, validated as
// Set-ReceiveConnector validates a whole new set.
func setAuth(c ReceiveConnector, args ops.ConnectorAddAuthArgs) (ReceiveConnector, error) {
	add, err := canonicalValues("AuthMechanism", authMechanisms, args.AddAuthMechanism)
	if err != nil {
		return c, err
	}
	remove, err := canonicalValues("AuthMechanism", authMechanisms, args.RemoveAuthMechanism)
	if err != nil {
		return c, err
	}
	addGroups, err := canonicalValues("PermissionGroups", permissionGroups, args.AddPermissionGroups)
	if err != nil {
		return c, err
	}
	removeGroups, err := canonicalValues("PermissionGroups", permissionGroups, args.RemovePermissionGroups)
	if err != nil {
		return c, err
	}
	next := c.clone()
	next.AuthMechanism, _ = canonicalValues("AuthMechanism", authMechanisms, applySet(c.AuthMechanism, add, remove))
	next.PermissionGroups, _ = canonicalValues("PermissionGroups", permissionGroups, applySet(c.PermissionGroups, addGroups, removeGroups))
	if sameSet(next.AuthMechanism, c.AuthMechanism) && sameSet(next.PermissionGroups, c.PermissionGroups) {
		return c, nil // nothing to set: Set-ReceiveConnector is not called
	}
	if err := validateReceiveConnector(next); err != nil {
		return c, err
	}
	return next, nil
}

// applySet is the new whole set exchange.connector.add_auth computes:
// current plus add minus remove, without "None" unless nothing is left.
func applySet(current, add, remove []string) []string {
	var out []string
	for _, v := range append(slices.Clone(current), add...) {
		if !strings.EqualFold(v, "None") && !hasFold(remove, v) && !hasFold(out, v) {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		out = []string{"None"}
	}
	return out
}

// sameSet compares two sets of names, ignoring case and order.
func sameSet(a, b []string) bool {
	for _, x := range a {
		if !hasFold(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !hasFold(a, x) {
			return false
		}
	}
	return true
}

// acceptsExchangeAuth reports whether a connector lets another Exchange
// server authenticate: Exchange Server authentication and the
// ExchangeServers permission group, on an enabled connector.
func (c ReceiveConnector) acceptsExchangeAuth() bool {
	return c.Enabled && hasFold(c.AuthMechanism, "ExchangeServer") && hasFold(c.PermissionGroups, "ExchangeServers")
}
