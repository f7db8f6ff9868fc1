package net

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// KerberosPorts is the net.kerberos_ports action: from each target, the
// domain controllers named in against must answer on the KB's ports. The
// probe runs on the target itself (a TcpClient with a timeout, over WinRM),
// because what matters is the path from the Exchange server, not from the
// machine rectify runs on.
type KerberosPorts struct{}

var _ actions.Action = KerberosPorts{}

// DefaultPorts are the ports an Exchange server needs to reach on its DCs:
// Kerberos, kpasswd, LDAP and CLDAP, LDAPS, Global Catalog, DNS, RPC
// endpoint mapper, SMB, NTP.
var DefaultPorts = []string{
	"88/tcp", "88/udp", "464/tcp", "464/udp", "389/tcp", "389/udp", "636/tcp",
	"3268/tcp", "3269/tcp", "53/tcp", "53/udp", "135/tcp", "445/tcp", "123/udp",
}

var portNames = map[int]string{
	88: "Kerberos", 464: "Kerberos password", 389: "LDAP", 636: "LDAPS", 3268: "Global Catalog",
	3269: "Global Catalog over TLS", 53: "DNS", 135: "RPC endpoint mapper", 445: "SMB", 123: "NTP",
	25: "SMTP", 2525: "Exchange transport",
}

// Schema implements actions.Action.
func (KerberosPorts) Schema() actions.Schema {
	return actions.Schema{
		Description: "Checks that each target reaches its domain controllers on the Kerberos and AD ports.",
		Attributes: []actions.Attribute{
			{Name: "against", Hosts: true, Required: true, Description: "The domain controllers to reach; those of the target's site are used when sites are known."},
			{Name: "ports", Type: cty.List(cty.String), Description: `Ports as "88/tcp"; default: the KB's list.`, Check: checkPorts},
			{Name: "timeout", Type: cty.String, Default: cty.StringVal("2s"), Description: "How long to wait for each port.", Check: func(v cty.Value) string {
				if _, err := lang.ParseDuration(v.AsString()); err != nil {
					return err.Error()
				}
				return ""
			}},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("4")},
		},
	}
}

type port struct {
	n     int
	proto string
}

func parsePort(s string) (port, error) {
	num, proto, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "/")
	if !ok || (proto != "tcp" && proto != "udp") {
		return port{}, fmt.Errorf("%q must be written as 88/tcp or 88/udp", s)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 {
		return port{}, fmt.Errorf("%q names no port between 1 and 65535", s)
	}
	return port{n: n, proto: proto}, nil
}

func checkPorts(v cty.Value) string {
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			return "must not hold null"
		}
		if _, err := parsePort(e.AsString()); err != nil {
			return err.Error()
		}
	}
	return ""
}

func ports(cfg actions.Config) ([]port, error) {
	list := cfg.Strings("ports")
	if !cfg.Has("ports") {
		list = DefaultPorts
	}
	var out []port
	for _, s := range list {
		p, err := parsePort(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// destinationNames maps each dialled destination to its inventory name.
func destinationNames(inst actions.Instance) map[string]string {
	out := map[string]string{}
	for _, name := range inst.Config.Strings("against") {
		if dc, ok := inst.Topology.Host(name); ok {
			out[destination(dc)] = dc.Name
		}
	}
	return out
}

// destination is what the probe dials: the address, else the FQDN.
func destination(dc actions.Host) string {
	switch {
	case dc.Address != "":
		return dc.Address
	case dc.FQDN != "":
		return dc.FQDN
	}
	return dc.Name
}

func targets(inst actions.Instance) ([]ops.ReachTarget, error) {
	ps, err := ports(inst.Config)
	if err != nil {
		return nil, err
	}
	var out []ops.ReachTarget
	for _, dc := range inst.SiteHosts("against") {
		dest := destination(dc)
		for _, p := range ps {
			out = append(out, ops.ReachTarget{Host: dest, Port: p.n, Protocol: p.proto})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("against names no host to check")
	}
	return out, nil
}

// Probes implements actions.Action.
func (KerberosPorts) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.NetReach)
	if err != nil {
		return nil, err
	}
	t, err := targets(inst)
	if err != nil {
		return nil, err
	}
	timeout := 2000
	if d := inst.Config.String("timeout"); d != "" {
		if ms, err := parseMillis(d); err == nil {
			timeout = ms
		}
	}
	return []actions.Probe{{Name: "reach", Shell: &actions.ShellProbe{Script: s, Args: ops.NetReachArgs{Targets: t, TimeoutMS: timeout}}}}, nil
}

// Unreached is one destination that did not answer.
type Unreached struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	State    string `json:"state"`
	Error    string `json:"error,omitempty"`
}

type portsState struct {
	Blocked []Unreached `json:"blocked"`
	// Unknown lists UDP ports that gave no answer: UDP cannot tell a
	// filtered port from a silent service.
	Unknown []Unreached `json:"unknown"`
}

// Observe implements actions.Action.
func (KerberosPorts) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	var res ops.NetReachResult
	if err := r.Decode("reach", &res); err != nil {
		return nil, err
	}
	names := destinationNames(inst)
	st := portsState{Blocked: []Unreached{}, Unknown: []Unreached{}}
	for _, o := range res.Results {
		if o.Reachable {
			continue
		}
		host := o.Host
		if n, ok := names[o.Host]; ok && n != o.Host {
			host = n + " (" + o.Host + ")"
		}
		u := Unreached{Host: host, Port: o.Port, Protocol: o.Protocol, State: o.State, Error: o.Error}
		if o.Protocol == "udp" && o.State == "open|filtered" {
			st.Unknown = append(st.Unknown, u)
			continue
		}
		st.Blocked = append(st.Blocked, u)
	}
	less := func(l []Unreached) func(i, j int) bool {
		return func(i, j int) bool {
			if l[i].Host != l[j].Host {
				return l[i].Host < l[j].Host
			}
			if l[i].Port != l[j].Port {
				return l[i].Port < l[j].Port
			}
			return l[i].Protocol < l[j].Protocol
		}
	}
	sort.Slice(st.Blocked, less(st.Blocked))
	sort.Slice(st.Unknown, less(st.Unknown))
	return st, nil
}

func describe(from string, u Unreached) string {
	name := portNames[u.Port]
	if name != "" {
		name = " (" + name + ")"
	}
	s := fmt.Sprintf("%s -> %s %s %d%s: %s", from, u.Host, strings.ToUpper(u.Protocol), u.Port, name, u.State)
	if u.Error != "" {
		s += ": " + u.Error
	}
	return s
}

// Plan implements actions.Action.
func (KerberosPorts) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(portsState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	object := "network path from " + inst.Host.Name + " to its domain controllers"
	var unknown []string
	for _, u := range st.Unknown {
		unknown = append(unknown, describe(inst.Host.Name, u)+" (no answer; UDP cannot tell filtered from silent)")
	}
	if len(st.Blocked) == 0 {
		return plans.Change{Action: plans.NoOp, Object: object, Findings: unknown}, nil
	}
	var findings []string
	for _, u := range st.Blocked {
		findings = append(findings, describe(inst.Host.Name, u))
	}
	findings = append(findings, unknown...)
	findings = append(findings, "rectify does not change firewalls: open these ports between the Exchange server and its DCs, then plan again")
	return plans.Change{
		Action: plans.Blocked, Object: object, KBStep: inst.Config.String("kb_step"),
		Reason:   fmt.Sprintf("KB 979174 cause 4: %d port(s) the Exchange server needs on its DCs do not answer; Kerberos falls back to TCP 88 for large tickets, so TCP 88 is a must", len(st.Blocked)),
		Findings: findings,
	}, nil
}

// Apply implements actions.Action. The action only ever plans no-op or
// blocked, so there is nothing to apply.
func (KerberosPorts) Apply(context.Context, actions.Instance, plans.Change, actions.Connections) (actions.Outcome, error) {
	return actions.Outcome{}, errors.New("net.kerberos_ports makes no changes: blocked ports are for the operator to open")
}

func parseMillis(s string) (int, error) {
	d, err := lang.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return int(d.Milliseconds()), nil
}
