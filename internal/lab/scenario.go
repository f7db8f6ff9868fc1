package lab

import (
	"slices"
	"time"
)

// Scenario is the data an organisation is seeded from: its hosts, their
// faults, stale accounts, firewall rules and failing replication links.
type Scenario struct {
	Name string
	// Domain is the DNS name of the single domain; NetBIOS its short name.
	Domain  string
	NetBIOS string
	Hosts   []HostSpec
	// Accounts are further computer accounts, such as one left behind by a
	// rebuilt server, with the SPNs they hold (duplicates allowed).
	Accounts []AccountSpec
	// Blocks are firewall rules dropping traffic between hosts.
	Blocks []Block
	// FailingLinks are replication links that fail until a forced sync
	// runs while nothing blocks them.
	FailingLinks []LinkFault
	// QueuedMessages is the message count of a queue that cannot deliver.
	QueuedMessages int
	// SiteLinkInterval is how often DCs in different sites replicate on
	// their own; zero means AD's default, DefaultSiteLinkInterval (180
	// minutes).
	SiteLinkInterval time.Duration
	// Connectors are receive connectors beyond the ones setup creates, such
	// as a relay connector whose remote ranges cover the Exchange servers.
	Connectors []ConnectorSpec
	// Tickets are Kerberos service tickets the hosts already hold, such as
	// one issued for an account that no longer should hold the SPN.
	Tickets []TicketSpec
}

// ConnectorSpec is a custom receive connector of an Exchange server.
type ConnectorSpec struct {
	// Server is the Exchange server's host name ("ex02"); Name the
	// connector's name ("Relay EX02").
	Server, Name string
	// TransportRole is RoleHubTransport (the default) or
	// RoleFrontendTransport.
	TransportRole string
	Bindings      []string
	// RemoteIPRanges are ranges as Exchange writes them; RemoteHosts adds the
	// addresses of lab hosts, which are known only when the lab starts.
	RemoteIPRanges   []string
	RemoteHosts      []string
	AuthMechanism    []string
	PermissionGroups []string
	// Disabled leaves the connector off.
	Disabled bool
}

// TicketSpec is a service ticket a host holds in the Transport service's
// logon session (NETWORK SERVICE), issued for Account (a computer name
// such as "EX02-OLD") an hour before the lab starts.
type TicketSpec struct {
	Host, SPN, Account string
}

// HostSpec describes one simulated Windows server and its faults.
type HostSpec struct {
	// Name is the short host name ("ex01").
	Name string
	Role Role
	Site string
	// PDC marks the PDC emulator (one DC).
	PDC bool
	// DC is the domain controller an Exchange server authenticates against.
	DC string
	// ClockOffset is how far the host's clock is off.
	ClockOffset time.Duration
	// NTPServer, when set, makes w32time follow this outside source (Type
	// NTP) instead of the domain hierarchy; the lab cannot reach outside
	// sources, so only reconfiguring to the domain hierarchy fixes a skew.
	NTPServer string
	// TimePolicyType and TimePolicyNTPServer are what Group Policy sets
	// for W32Time (Type, NtpServer); W32Time uses them instead of its own,
	// so w32tm /config does not change where it takes its time from.
	TimePolicyType      string
	TimePolicyNTPServer string
	// Hypervisor is what the host runs on: "" (a physical server),
	// HypervisorHyperV or HypervisorVMware. HypervisorTimeSync is set when
	// the hypervisor sets the guest's clock (Hyper-V's Time
	// Synchronization integration service, VMware Tools' time sync), and
	// HypervisorClockOffset is how far the hypervisor's own clock is off:
	// such a guest keeps going back to it.
	Hypervisor            string
	HypervisorTimeSync    bool
	HypervisorClockOffset time.Duration
	// MissingSPNs are the SPNs of the KB (SMTP/, SMTPSVC/) this Exchange
	// server's account lacks.
	MissingSPNs []string
	// ConnectorMissingAuth and ConnectorMissingGroups are taken out of the
	// server's "Default <Server>" receive connector.
	ConnectorMissingAuth   []string
	ConnectorMissingGroups []string
	// KerberosParametersKey creates the Kerberos Parameters key (without
	// LogLevel); otherwise the key does not exist, as on a fresh install.
	KerberosParametersKey bool
	// Peers are the Exchange servers this server holds a queue to.
	Peers []string
}

// AccountSpec is a further computer account.
type AccountSpec struct {
	Name     string
	SPNs     []string
	Disabled bool
}

// Block drops traffic from one host to a port of another.
type Block struct {
	From, To string
	Port     int
	Protocol string // "tcp" or "udp"
}

// LinkFault is a replication link that currently fails: the destination
// DC cannot pull from the source.
type LinkFault struct {
	Destination, Source string
	Status              int // a Win32 error such as 1722
	Failures            int
}

// Fault kinds a scenario can carry, for Scenario.WithFaults.
const (
	FaultSkew        = "skew"
	FaultSPN         = "spn"
	FaultDuplicate   = "duplicate"
	FaultTicket      = "ticket"
	FaultConnector   = "connector"
	FaultPort        = "port"
	FaultReplication = "replication"
)

// FaultKinds lists every fault kind, in the KB's order.
var FaultKinds = []string{FaultSkew, FaultReplication, FaultSPN, FaultDuplicate, FaultTicket, FaultPort, FaultConnector}

// WithFaults returns a copy of the scenario that keeps only the named
// kinds of fault; the others are healed in the copy.
func (s Scenario) WithFaults(kinds ...string) Scenario {
	keep := func(k string) bool { return slices.Contains(kinds, k) }
	out := s
	out.Hosts = make([]HostSpec, len(s.Hosts))
	for i, h := range s.Hosts {
		if !keep(FaultSkew) {
			h.ClockOffset, h.NTPServer, h.HypervisorClockOffset = 0, "", 0
			h.TimePolicyType, h.TimePolicyNTPServer = "", ""
		}
		if !keep(FaultSPN) {
			h.MissingSPNs = nil
		}
		if !keep(FaultConnector) {
			h.ConnectorMissingAuth, h.ConnectorMissingGroups = nil, nil
		}
		out.Hosts[i] = h
	}
	if !keep(FaultDuplicate) {
		out.Accounts = nil
	}
	if !keep(FaultTicket) {
		out.Tickets = nil
	}
	if !keep(FaultConnector) {
		out.Connectors = nil
	}
	if !keep(FaultPort) {
		out.Blocks = nil
	}
	if !keep(FaultReplication) {
		out.FailingLinks = nil
	}
	return out
}

// KB979174 is the built-in scenario: two Exchange 2016 servers and two DCs
// in site HQ of corp.example.com, with every fault of KB 979174: ex01's
// clock 7 minutes ahead (its w32time following an outside source), ex01's
// SMTPSVC SPNs missing, SMTPSVC/ex02.corp.example.com also held by the
// stale account EX02-OLD$ (ex02 was rebuilt, and ex01 still holds the
// ticket the KDC issued for EX02-OLD$ before), Kerberos logging off,
// ExchangeServer missing
// from ex02's "Default EX02" connector, TCP 88 blocked from ex02 to dc02,
// and the link dc01 -> dc02 failing with 1722. Both Exchange servers
// authenticate against dc02, so an SPN written on dc01 reaches their KDC
// only through replication.
func KB979174() Scenario {
	return Scenario{
		Name:    "kb979174",
		Domain:  "corp.example.com",
		NetBIOS: "CORP",
		Hosts: []HostSpec{
			{Name: "dc01", Role: RoleDC, Site: "HQ", PDC: true},
			{Name: "dc02", Role: RoleDC, Site: "HQ"},
			{
				Name: "ex01", Role: RoleExchange, Site: "HQ", DC: "dc02",
				ClockOffset: 7 * time.Minute, NTPServer: "time.windows.com,0x9",
				MissingSPNs: []string{"SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"},
				Peers:       []string{"ex02"},
			},
			{
				Name: "ex02", Role: RoleExchange, Site: "HQ", DC: "dc02",
				ConnectorMissingAuth:  []string{"ExchangeServer"},
				KerberosParametersKey: true,
				Peers:                 []string{"ex01"},
			},
		},
		Accounts: []AccountSpec{
			{Name: "EX02-OLD", SPNs: []string{"SMTPSVC/ex02.corp.example.com"}, Disabled: true},
		},
		Tickets: []TicketSpec{
			{Host: "ex01", SPN: "SMTPSVC/ex02.corp.example.com", Account: "EX02-OLD"},
		},
		Blocks:         []Block{{From: "ex02", To: "dc02", Port: 88, Protocol: "tcp"}},
		FailingLinks:   []LinkFault{{Destination: "dc02", Source: "dc01", Status: ReplRPCUnavailable, Failures: 5}},
		QueuedMessages: 12,
	}
}
