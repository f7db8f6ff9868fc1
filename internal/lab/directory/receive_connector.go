package directory

import (
	"fmt"
	"strconv"
	"strings"
)

// ReceiveConnector describes a receive connector's object: class
// msExchSmtpReceiveConnector, under
// CN=SMTP Receive Connectors,CN=Protocols,<the server's object>, with the
// attributes Exchange stores the connector's settings in. The names are
// those of Exchange's ReceiveConnectorSchema (Microsoft.Exchange.Data.
// Directory): Bindings msExchSmtpReceiveBindings, RemoteIPRanges
// msExchSmtpReceiveRemoteIPRanges, AuthMechanism
// msExchSMTPReceiveInboundSecurityFlag (the AuthMechanisms flags as an
// integer), Enabled msExchSmtpReceiveEnabled, TransportRole
// msExchSmtpReceiveRole (ServerRole: 32 HubTransport, 16384
// FrontendTransport), Fqdn msExchSMTPReceiveConnectorFQDN. PermissionGroups
// is no attribute: Exchange computes it from the object's security
// descriptor, which the lab does not model. The textual forms of the
// binding and range values (as IPBinding and IPRange print them) are
// _unverified against a real directory.
type ReceiveConnector struct {
	// Server is the Exchange server (EX01); Name the connector's name.
	Server, Name string
	// Organization defaults to "First Organization".
	Organization   string
	Bindings       []string
	RemoteIPRanges []string
	// SecurityFlags is AuthMechanism as the AuthMechanisms flags.
	SecurityFlags int
	Enabled       bool
	// TransportRole is the ServerRole value (32, 16384).
	TransportRole int
	FQDN          string
}

// The ServerRole values of receive connectors' msExchSmtpReceiveRole.
const (
	RoleHubTransport      = 32
	RoleFrontendTransport = 16384
)

// The AuthMechanisms flags of msExchSMTPReceiveInboundSecurityFlag, as
// Exchange's enumeration numbers them.
var AuthMechanismFlags = []struct {
	Name string
	Flag int
}{
	{"Tls", 1}, {"Integrated", 2}, {"BasicAuth", 4}, {"BasicAuthRequireTLS", 8},
	{"ExchangeServer", 16}, {"ExternalAuthoritative", 32},
}

// ReceiveConnectorDN returns the DN of a server's receive connector.
func (d *Directory) ReceiveConnectorDN(org, server, name string) string {
	return "CN=" + escapeRDN(name) + "," + d.receiveConnectorsDN(org, server)
}

func (d *Directory) receiveConnectorsDN(org, server string) string {
	return "CN=SMTP Receive Connectors,CN=Protocols,CN=" + escapeRDN(server) + "," + d.ExchangeServersDN(org)
}

// PutReceiveConnector creates a receive connector's object, with its
// Protocols and SMTP Receive Connectors containers, or replaces the
// settings of an existing one. The server's object must exist
// (AddExchangeServer). It returns the connector's DN.
func (d *Directory) PutReceiveConnector(rc ReceiveConnector) (string, error) {
	if rc.Server == "" || rc.Name == "" {
		return "", fmt.Errorf("put receive connector: server and name are required")
	}
	if len(rc.Bindings) == 0 || len(rc.RemoteIPRanges) == 0 {
		return "", fmt.Errorf("put receive connector %s\\%s: Bindings and RemoteIPRanges are mandatory", rc.Server, rc.Name)
	}
	serverDN := "CN=" + escapeRDN(rc.Server) + "," + d.ExchangeServersDN(rc.Organization)
	if _, err := d.Get(serverDN); err != nil {
		return "", fmt.Errorf("put receive connector %s\\%s: %w", rc.Server, rc.Name, err)
	}
	protocols := "CN=Protocols," + serverDN
	for _, c := range []struct{ dn, cn string }{{protocols, "Protocols"}, {d.receiveConnectorsDN(rc.Organization, rc.Server), "SMTP Receive Connectors"}} {
		if err := d.ensure(c.dn, container(c.cn)); err != nil {
			return "", err
		}
	}
	dn := d.ReceiveConnectorDN(rc.Organization, rc.Server, rc.Name)
	settings := map[string][]string{
		"msExchSmtpReceiveBindings":            rc.Bindings,
		"msExchSmtpReceiveRemoteIPRanges":      rc.RemoteIPRanges,
		"msExchSMTPReceiveInboundSecurityFlag": {strconv.Itoa(rc.SecurityFlags)},
		"msExchSmtpReceiveEnabled":             {strings.ToUpper(strconv.FormatBool(rc.Enabled))},
		"msExchSmtpReceiveRole":                {strconv.Itoa(rc.TransportRole)},
	}
	if rc.FQDN != "" {
		settings["msExchSMTPReceiveConnectorFQDN"] = []string{rc.FQDN}
	}
	if _, err := d.Get(dn); err == nil {
		var changes []Change
		for name, values := range settings {
			changes = append(changes, Change{Op: ChangeReplace, Attribute: name, Values: values})
		}
		if err := d.Modify(dn, changes); err != nil {
			return "", fmt.Errorf("update receive connector %s\\%s: %w", rc.Server, rc.Name, err)
		}
		return dn, nil
	}
	attrs := map[string][]string{
		"objectClass": {"top", "msExchSmtpReceiveConnector"},
		"cn":          {rc.Name},
		"name":        {rc.Name},
	}
	for name, values := range settings {
		attrs[name] = values
	}
	if err := d.Add(Entry{DN: dn, Attributes: attrs}); err != nil {
		return "", fmt.Errorf("add receive connector %s\\%s: %w", rc.Server, rc.Name, err)
	}
	return dn, nil
}
