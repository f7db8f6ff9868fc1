package lab

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// scenarioFile is a scenario as written in HCL.
type scenarioFile struct {
	Scenario *struct {
		Name             string         `hcl:"name,label"`
		Domain           string         `hcl:"domain"`
		NetBIOS          string         `hcl:"netbios"`
		QueuedMessages   int            `hcl:"queued_messages,optional"`
		SiteLinkInterval hcl.Expression `hcl:"site_link_interval,optional"`
	} `hcl:"scenario,block"`
	Hosts      []hostBlock      `hcl:"host,block"`
	Accounts   []accountBlock   `hcl:"account,block"`
	Blocks     []blockBlock     `hcl:"block,block"`
	Links      []linkBlock      `hcl:"failing_link,block"`
	Connectors []connectorBlock `hcl:"receive_connector,block"`
	Tickets    []ticketBlock    `hcl:"cached_ticket,block"`
}

type connectorBlock struct {
	Name             string         `hcl:"name,label"`
	Server           hcl.Expression `hcl:"server"`
	TransportRole    hcl.Expression `hcl:"transport_role,optional"`
	Bindings         hcl.Expression `hcl:"bindings"`
	RemoteIPRanges   hcl.Expression `hcl:"remote_ip_ranges,optional"`
	RemoteHosts      hcl.Expression `hcl:"remote_hosts,optional"`
	AuthMechanism    []string       `hcl:"auth_mechanism"`
	PermissionGroups []string       `hcl:"permission_groups"`
	Enabled          *bool          `hcl:"enabled,optional"`
	DefRange         hcl.Range      `hcl:",def_range"`
}

type ticketBlock struct {
	Host    hcl.Expression `hcl:"host"`
	SPN     string         `hcl:"spn"`
	Account string         `hcl:"account"`
}

type hostBlock struct {
	Name                   string         `hcl:"name,label"`
	Role                   hcl.Expression `hcl:"role"`
	Site                   string         `hcl:"site"`
	PDC                    bool           `hcl:"pdc,optional"`
	DC                     hcl.Expression `hcl:"dc,optional"`
	ClockOffset            hcl.Expression `hcl:"clock_offset,optional"`
	NTPServer              string         `hcl:"ntp_server,optional"`
	TimePolicyType         hcl.Expression `hcl:"time_policy_type,optional"`
	TimePolicyNTPServer    string         `hcl:"time_policy_ntp_server,optional"`
	Hypervisor             hcl.Expression `hcl:"hypervisor,optional"`
	HypervisorTimeSync     hcl.Expression `hcl:"hypervisor_time_sync,optional"`
	HypervisorClockOffset  hcl.Expression `hcl:"hypervisor_clock_offset,optional"`
	MissingSPNs            []string       `hcl:"missing_spns,optional"`
	ConnectorMissingAuth   []string       `hcl:"connector_missing_auth,optional"`
	ConnectorMissingGroups []string       `hcl:"connector_missing_groups,optional"`
	KerberosParametersKey  bool           `hcl:"kerberos_parameters_key,optional"`
	Peers                  hcl.Expression `hcl:"peers,optional"`
	DefRange               hcl.Range      `hcl:",def_range"`
}

type accountBlock struct {
	Name     string   `hcl:"name,label"`
	SPNs     []string `hcl:"spns"`
	Disabled bool     `hcl:"disabled,optional"`
}

type blockBlock struct {
	From     hcl.Expression `hcl:"from"`
	To       hcl.Expression `hcl:"to"`
	Port     int            `hcl:"port"`
	Protocol hcl.Expression `hcl:"protocol"`
}

type linkBlock struct {
	Destination hcl.Expression `hcl:"destination"`
	Source      hcl.Expression `hcl:"source"`
	Status      int            `hcl:"status"`
	Failures    int            `hcl:"failures,optional"`
}

// LoadScenario reads a scenario from an HCL file (see ParseScenario).
func LoadScenario(path string) (Scenario, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unreadable scenario", Detail: err.Error()}}
	}
	return ParseScenario(src, path)
}

// ParseScenario decodes a scenario written in HCL: one scenario block
// (name label, domain, netbios, queued_messages, site_link_interval),
// host blocks (role "dc" or "exchange", site, pdc, dc, clock_offset as a
// duration such as "7m", ntp_server, time_policy_type,
// time_policy_ntp_server, hypervisor, hypervisor_time_sync,
// hypervisor_clock_offset, missing_spns, connector_missing_auth,
// connector_missing_groups, kerberos_parameters_key, peers), account
// blocks (spns, disabled), block blocks (from, to, port, protocol),
// failing_link blocks (destination, source, status, failures),
// receive_connector blocks (name label; server, transport_role, bindings,
// remote_ip_ranges, remote_hosts, auth_mechanism, permission_groups,
// enabled) and cached_ticket blocks (host, spn, account). Every problem is
// reported, each on the tightest range.
func ParseScenario(src []byte, filename string) (Scenario, hcl.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return Scenario{}, diags
	}
	var file scenarioFile
	diags = append(diags, gohcl.DecodeBody(f.Body, nil, &file)...)
	if diags.HasErrors() {
		return Scenario{}, diags
	}
	if file.Scenario == nil {
		return Scenario{}, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing scenario block",
			Detail: `A scenario file needs a block scenario "<name>" { domain = ..., netbios = ... }.`, Subject: f.Body.(*hclsyntax.Body).SrcRange.Ptr()})
	}
	sc := Scenario{Name: file.Scenario.Name, Domain: file.Scenario.Domain, NetBIOS: file.Scenario.NetBIOS, QueuedMessages: file.Scenario.QueuedMessages}

	str := func(expr hcl.Expression) (string, bool) {
		if expr == nil || isNullExpr(expr) {
			return "", false
		}
		var s string
		d := gohcl.DecodeExpression(expr, nil, &s)
		diags = append(diags, d...)
		return s, !d.HasErrors()
	}
	errorAt := func(expr hcl.Expression, summary, format string, args ...any) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: expr.Range().Ptr()})
	}
	duration := func(expr hcl.Expression, name string) time.Duration {
		s, ok := str(expr)
		if !ok {
			return 0
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			errorAt(expr, "Invalid duration", "%s must be a duration such as \"7m\" or \"-90s\".", name)
		}
		return d
	}
	sc.SiteLinkInterval = duration(file.Scenario.SiteLinkInterval, "site_link_interval")
	if sc.SiteLinkInterval < 0 {
		errorAt(file.Scenario.SiteLinkInterval, "Invalid duration", "site_link_interval must be positive.")
	}
	roles := map[string]Role{}
	for _, h := range file.Hosts {
		if _, dup := roles[h.Name]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate host", Detail: fmt.Sprintf("Host %q is declared twice.", h.Name), Subject: h.DefRange.Ptr()})
			continue
		}
		role, _ := str(h.Role)
		if role != string(RoleDC) && role != string(RoleExchange) {
			errorAt(h.Role, "Invalid role", `role must be "dc" or "exchange".`)
		}
		roles[h.Name] = Role(role)
	}
	ref := func(expr hcl.Expression, want Role) string {
		name, ok := str(expr)
		if !ok {
			return ""
		}
		role, known := roles[name]
		switch {
		case !known:
			errorAt(expr, "Unknown host", "No host %q is declared in this scenario.", name)
		case want != "" && role != want:
			errorAt(expr, "Wrong kind of host", "Host %q is a %s host, not a %s host.", name, role, want)
		}
		return name
	}
	for _, h := range file.Hosts {
		spec := HostSpec{
			Name: h.Name, Role: roles[h.Name], Site: h.Site, PDC: h.PDC, NTPServer: h.NTPServer,
			MissingSPNs: h.MissingSPNs, ConnectorMissingAuth: h.ConnectorMissingAuth,
			ConnectorMissingGroups: h.ConnectorMissingGroups, KerberosParametersKey: h.KerberosParametersKey,
		}
		spec.DC = ref(h.DC, RoleDC)
		if spec.Role == RoleExchange && spec.DC == "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing dc",
				Detail: "An Exchange server needs the DC it authenticates against: dc = \"<host>\".", Subject: h.DefRange.Ptr()})
		}
		spec.ClockOffset = duration(h.ClockOffset, "clock_offset")
		decodeTimeKeeping(h, &spec, str, duration, errorAt, &diags)
		if h.Peers != nil && !isNullExpr(h.Peers) {
			exprs, d := hcl.ExprList(h.Peers)
			diags = append(diags, d...)
			for _, e := range exprs {
				if p := ref(e, RoleExchange); p != "" {
					spec.Peers = append(spec.Peers, p)
				}
			}
		}
		sc.Hosts = append(sc.Hosts, spec)
	}
	for _, a := range file.Accounts {
		sc.Accounts = append(sc.Accounts, AccountSpec{Name: a.Name, SPNs: a.SPNs, Disabled: a.Disabled})
	}
	for _, b := range file.Blocks {
		blk := Block{From: ref(b.From, ""), To: ref(b.To, ""), Port: b.Port}
		blk.Protocol, _ = str(b.Protocol)
		if blk.Protocol != "tcp" && blk.Protocol != "udp" {
			errorAt(b.Protocol, "Invalid protocol", `protocol must be "tcp" or "udp".`)
		}
		sc.Blocks = append(sc.Blocks, blk)
	}
	for _, l := range file.Links {
		sc.FailingLinks = append(sc.FailingLinks, LinkFault{Destination: ref(l.Destination, RoleDC), Source: ref(l.Source, RoleDC), Status: l.Status, Failures: l.Failures})
	}
	for _, c := range file.Connectors {
		spec := ConnectorSpec{Server: ref(c.Server, RoleExchange), Name: c.Name, AuthMechanism: c.AuthMechanism, PermissionGroups: c.PermissionGroups}
		// Each binding and range is checked on its own element.
		each := func(list hcl.Expression, check func(string) error, summary string) []string {
			if list == nil || isNullExpr(list) {
				return nil
			}
			exprs, d := hcl.ExprList(list)
			diags = append(diags, d...)
			var out []string
			for _, e := range exprs {
				v, ok := str(e)
				if !ok {
					continue
				}
				if err := check(v); err != nil {
					errorAt(e, summary, "%s", err.Error())
				}
				out = append(out, v)
			}
			return out
		}
		spec.Bindings = each(c.Bindings, func(v string) error { _, err := parseBinding(v); return err }, "Invalid binding")
		spec.RemoteIPRanges = each(c.RemoteIPRanges, func(v string) error { _, err := parseIPRange(v); return err }, "Invalid remote IP range")
		if c.Enabled != nil {
			spec.Disabled = !*c.Enabled
		}
		if role, ok := str(c.TransportRole); ok {
			if role != RoleHubTransport && role != RoleFrontendTransport {
				errorAt(c.TransportRole, "Invalid transport role", "transport_role must be %q or %q.", RoleHubTransport, RoleFrontendTransport)
			}
			spec.TransportRole = role
		}
		if c.RemoteHosts != nil && !isNullExpr(c.RemoteHosts) {
			exprs, d := hcl.ExprList(c.RemoteHosts)
			diags = append(diags, d...)
			for _, e := range exprs {
				if p := ref(e, ""); p != "" {
					spec.RemoteHosts = append(spec.RemoteHosts, p)
				}
			}
		}
		if len(spec.RemoteIPRanges) == 0 && len(spec.RemoteHosts) == 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing remote ranges",
				Detail: "A receive connector needs remote_ip_ranges, remote_hosts, or both.", Subject: c.DefRange.Ptr()})
		}
		sc.Connectors = append(sc.Connectors, spec)
	}
	for _, t := range file.Tickets {
		sc.Tickets = append(sc.Tickets, TicketSpec{Host: ref(t.Host, RoleExchange), SPN: t.SPN, Account: t.Account})
	}
	if !slices.ContainsFunc(sc.Hosts, func(h HostSpec) bool { return h.PDC }) && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No PDC emulator",
			Detail: "One DC needs pdc = true.", Subject: f.Body.(*hclsyntax.Body).SrcRange.Ptr()})
	}
	if diags.HasErrors() {
		return Scenario{}, diags
	}
	sc.Name = strings.TrimSpace(sc.Name)
	return sc, diags
}

// isNullExpr reports whether an optional attribute was left out (gohcl
// hands a synthetic null expression for it).
func isNullExpr(expr hcl.Expression) bool {
	v, d := expr.Value(nil)
	return !d.HasErrors() && v.IsNull()
}
