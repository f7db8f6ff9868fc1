package exchange

import (
	"sort"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// The attributes of a receive connector's directory object (class
// msExchSmtpReceiveConnector, under CN=SMTP Receive Connectors,
// CN=Protocols,<server> in the configuration partition), as Exchange's
// ReceiveConnectorSchema names them. PermissionGroups is no attribute:
// Exchange computes it from the object's permissions, so rectify reads it
// through Exchange's endpoint.
const (
	attrBindings       = "msExchSmtpReceiveBindings"
	attrRemoteIPRanges = "msExchSmtpReceiveRemoteIPRanges"
	attrSecurityFlags  = "msExchSMTPReceiveInboundSecurityFlag"
	attrEnabled        = "msExchSmtpReceiveEnabled"
	attrRole           = "msExchSmtpReceiveRole"
	classConnector     = "msExchSmtpReceiveConnector"
)

// connectorAttributes are the attributes the action reads.
var connectorAttributes = []string{"cn", attrBindings, attrRemoteIPRanges, attrSecurityFlags, attrEnabled, attrRole}

// authFlags are the AuthMechanisms flags msExchSMTPReceiveInboundSecurityFlag
// holds, in the order Exchange prints them.
var authFlags = []struct {
	name string
	flag int
}{
	{"Tls", 1}, {"Integrated", 2}, {"BasicAuth", 4}, {"BasicAuthRequireTLS", 8},
	{"ExchangeServer", 16}, {"ExternalAuthoritative", 32},
}

// The ServerRole values of msExchSmtpReceiveRole.
const (
	roleHubTransport      = 32
	roleFrontendTransport = 16384
)

// connector is a receive connector as rectify reads it from its directory
// object.
type connector struct {
	Identity       string   `json:"identity"` // "EX02\Default EX02"
	Name           string   `json:"name"`
	Server         string   `json:"server"`
	TransportRole  string   `json:"transport_role"`
	Bindings       []string `json:"bindings"`
	RemoteIPRanges []string `json:"remote_ip_ranges"`
	AuthMechanism  []string `json:"auth_mechanism"`
	Enabled        bool     `json:"enabled"`
	// PermissionGroups are read through Exchange's endpoint; nil when they
	// were not.
	PermissionGroups []string `json:"permission_groups,omitempty"`
	// Holds are the remote ranges of a custom connector that hold a
	// sender's address, in the connector's order.
	Holds []string `json:"holds,omitempty"`
}

// connectorOf reads one directory entry; ok is false for an entry that is
// not a receive connector of a server.
func connectorOf(e actions.Entry) (connector, bool) {
	dn, err := ldap.ParseDN(e.DN)
	if err != nil || len(dn.RDNs) < 4 {
		return connector{}, false
	}
	value := func(i int) string {
		if len(dn.RDNs[i].Attributes) != 1 || !strings.EqualFold(dn.RDNs[i].Attributes[0].Type, "CN") {
			return ""
		}
		return dn.RDNs[i].Attributes[0].Value
	}
	if !strings.EqualFold(value(1), "SMTP Receive Connectors") || !strings.EqualFold(value(2), "Protocols") {
		return connector{}, false
	}
	c := connector{Name: value(0), Server: strings.ToUpper(value(3))}
	c.Identity = c.Server + `\` + c.Name
	c.Bindings = append([]string{}, e.Values(attrBindings)...)
	c.RemoteIPRanges = append([]string{}, e.Values(attrRemoteIPRanges)...)
	flags, _ := strconv.Atoi(e.Get(attrSecurityFlags))
	c.AuthMechanism = []string{}
	for _, f := range authFlags {
		if flags&f.flag != 0 {
			c.AuthMechanism = append(c.AuthMechanism, f.name)
		}
	}
	if len(c.AuthMechanism) == 0 {
		c.AuthMechanism = []string{"None"}
	}
	// Exchange writes the attribute when the connector is not enabled;
	// absent means the schema's default, enabled.
	c.Enabled = !strings.EqualFold(e.Get(attrEnabled), "FALSE")
	switch role, _ := strconv.Atoi(e.Get(attrRole)); role {
	case roleFrontendTransport:
		c.TransportRole = "FrontendTransport"
	case roleHubTransport, 0:
		c.TransportRole = "HubTransport"
	default:
		c.TransportRole = "ServerRole " + strconv.Itoa(role)
	}
	return c, true
}

// connectorsOf returns the receive connectors of server among entries,
// sorted by name.
func connectorsOf(entries []actions.Entry, server string) []connector {
	var out []connector
	for _, e := range entries {
		if otherServer(e.DN, server) {
			continue
		}
		if c, ok := connectorOf(e); ok && strings.EqualFold(c.Server, server) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// otherServer reports, without parsing the whole DN, that dn is surely not
// the DN of one of server's connectors: its fourth RDN (the server's, in
// CN=<name>,CN=SMTP Receive Connectors,CN=Protocols,CN=<server>,...) is a
// plain CN= value other than server. Each instance of a step sees the
// connectors of the whole forest and keeps its own server's: this spares
// parsing the DNs of every other server's connectors. A DN it cannot judge
// that way (escapes, quotes, spaces, several values) is left to ParseDN.
func otherServer(dn, server string) bool {
	// Find the fourth RDN, giving up on an escape or a quote before it
	// (an escaped or quoted comma may hide there).
	start, commas := 0, 0
	for i := 0; i < len(dn) && commas < 3; i++ {
		switch dn[i] {
		case '\\', '"':
			return false
		case ',':
			commas++
			start = i + 1
		}
	}
	if commas < 3 || len(dn)-start < 3 || !strings.EqualFold(dn[start:start+3], "CN=") {
		return false
	}
	value := dn[start+3:]
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case ',':
			return !strings.EqualFold(value[:i], server)
		case '\\', '"', '+', '=', '<', '>', '#', ';', ' ':
			return false
		}
	}
	return !strings.EqualFold(value, server)
}

// setupConnector reports whether name is one Exchange setup creates on a
// server ("Default EX01", "Client Proxy EX01", ...): the others are custom.
func setupConnector(name, server string) bool {
	for _, prefix := range []string{"Default ", "Client Proxy ", "Default Frontend ", "Client Frontend ", "Outbound Proxy Frontend "} {
		if strings.EqualFold(name, prefix+server) {
			return true
		}
	}
	return false
}
