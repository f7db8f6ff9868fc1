package actiontest

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/plans"
)

// Harness is a running lab (or, from StartSamba, a Samba AD DC) with the
// engine and transports pointed at it.
type Harness struct {
	// Lab is nil when the harness targets a Samba DC.
	Lab      *lab.Lab
	Registry *actions.Registry
	Engine   *engine.Engine
	Conns    *connect.Connections
	hosts    []actions.Host
	// connect makes the transports when the target is not the lab.
	connect func() *connect.Connections
	// planned remembers the steps each plan of Plan was made from, which
	// apply evaluates again.
	planned  map[*plans.Plan][]engine.Step
	kerberos *Kerberos
}

// Kerberos makes the harness log on to the lab's hosts with Kerberos
// tickets from a real KDC instead of NTLM.
type Kerberos struct {
	// Keytab holds the hosts' HTTP/<fqdn> service keys, exported from the
	// KDC.
	Keytab *keytab.Keytab
	// Username and Password are the account the KDC knows; the lab takes
	// them as its one account.
	Username, Password string
	// Client says where the client gets its tickets. With a keytab or a
	// credential cache, the WinRM configuration holds no password, as an
	// inventory with one would not; with Delegate, the hosts' sessions
	// hold the user's delegated TGT.
	Client winrm.KerberosConfig
}

// withoutPassword reports whether the client's tickets come from elsewhere
// than the password, which the configuration then does not hold.
func (k *Kerberos) withoutPassword() bool {
	return k != nil && (k.Client.CCache != "" || k.Client.Keytab != "")
}

// Start serves scenario sc on loopback for the test's duration. Its hosts
// listen as default Windows servers (HTTP, messages sealed by an NTLM
// session without delegation). Each configure function may change the
// lab's options (its locale, its clock) before it starts.
func Start(t testing.TB, sc lab.Scenario, configure ...func(*lab.Options)) *Harness {
	t.Helper()
	return start(t, sc, nil, configure)
}

// StartKerberos is Start with Kerberos logons from k's KDC.
func StartKerberos(t testing.TB, sc lab.Scenario, k Kerberos, configure ...func(*lab.Options)) *Harness {
	t.Helper()
	return start(t, sc, &k, configure)
}

func start(t testing.TB, sc lab.Scenario, k *Kerberos, configure []func(*lab.Options)) *Harness {
	t.Helper()
	ctx := context.Background()
	opts := lab.Options{WinRMPort: lab.AnyPort, LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}}
	for _, c := range configure {
		c(&opts)
	}
	if k != nil {
		opts.Keytab, opts.Username, opts.Password = k.Keytab, k.Username, k.Password
	}
	l, err := lab.Start(ctx, sc, opts)
	if err != nil {
		t.Fatalf("start the lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	h := &Harness{Lab: l, Registry: builtin.Registry(), kerberos: k}
	h.Engine = &engine.Engine{Registry: h.Registry, Version: "test"}
	// Each host's session as the inventory would describe it.
	session := actions.Session{Auth: winrm.AuthNTLM, Credential: true}
	if k != nil {
		session = actions.Session{Auth: winrm.AuthKerberos, Delegation: k.Client.Delegate, Credential: !k.withoutPassword()}
	}
	for _, lh := range l.Org().Hosts() {
		group := "exchange"
		if lh.Role == lab.RoleDC {
			group = "dc"
		}
		h.hosts = append(h.hosts, actions.Host{Name: lh.Name, FQDN: lh.FQDN, Address: lh.IP, Domain: lh.Domain, Site: lh.Site, Groups: []string{group},
			Session: session})
	}
	h.Conns = h.NewConnections()
	t.Cleanup(func() { h.Conns.Close() })
	return h
}

// NewConnections returns fresh transports to the target; close them after
// use.
func (h *Harness) NewConnections() *connect.Connections {
	if h.connect != nil {
		return h.connect()
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(h.Lab.CAPEM())
	pdc := ""
	for _, dc := range h.Lab.Org().DCs() {
		if dc.PDC || pdc == "" {
			pdc = dc.Name
		}
	}
	return connect.New(connect.Options{
		WinRM: func(name string) (winrm.Config, error) {
			ep, ok := h.Lab.WinRM(name)
			lh, ok2 := h.Lab.Host(name)
			if !ok || !ok2 {
				return winrm.Config{}, fmt.Errorf("no lab host %q", name)
			}
			addr, portText, err := net.SplitHostPort(ep.Addr())
			if err != nil {
				return winrm.Config{}, err
			}
			port, err := strconv.Atoi(portText)
			if err != nil {
				return winrm.Config{}, err
			}
			// The lab's hosts listen as default Windows servers: HTTP with
			// messages encrypted by the logon's session (Encryption auto).
			cfg := winrm.Config{
				Host: name, Address: addr, Port: port, HTTPS: h.Lab.HTTPS(), ServerName: lh.FQDN, RootCAs: pool,
				Auth: winrm.AuthNTLM, Username: h.Lab.Username(), Password: secret.New(h.Lab.Password()),
				Timeout: 30 * time.Second, OperationTimeout: 5 * time.Second, DialTimeout: 5 * time.Second, MaxAttempts: 2,
			}
			if h.kerberos != nil {
				cfg.Auth, cfg.Kerberos = winrm.AuthKerberos, h.kerberos.Client
				if h.kerberos.withoutPassword() {
					cfg.Password = secret.Value{}
				}
			}
			return cfg, nil
		},
		LDAP: func(domain string) (ldap.Config, error) {
			return ldap.Config{
				URL: "ldaps://" + h.Lab.LDAPAddr(pdc, ldapd.LDAPS), GCURL: "ldaps://" + h.Lab.LDAPAddr(pdc, ldapd.GCS),
				RootCAs: pool, BindUser: h.Lab.Username(), Password: secret.New(h.Lab.Password()), Timeout: 10 * time.Second,
			}, nil
		},
	})
}

// SetSession sets what a host's WinRM session can do, as an inventory
// with another authentication would describe it.
func (h *Harness) SetSession(host string, s actions.Session) {
	for i := range h.hosts {
		if h.hosts[i].Name == host {
			h.hosts[i].Session = s
		}
	}
}

// Hosts returns the lab's hosts as the inventory would describe them.
func (h *Harness) Hosts() []actions.Host { return h.hosts }

// Group returns the names of the hosts in group g.
func (h *Harness) Group(g string) []string {
	var out []string
	for _, x := range h.hosts {
		if x.InGroup(g) {
			out = append(out, x.Name)
		}
	}
	return out
}

// Step builds an engine step for action id with attrs, applying the
// schema's defaults and types as the playbook decoder does.
func (h *Harness) Step(t testing.TB, id, name string, targets []string, attrs map[string]cty.Value) engine.Step {
	t.Helper()
	a, ok := h.Registry.Lookup(id)
	if !ok {
		t.Fatalf("no action %q", id)
	}
	cfg, err := Config(a.Schema(), attrs)
	if err != nil {
		t.Fatalf("step %s: %v", name, err)
	}
	if v, ok := a.(actions.Validator); ok {
		for _, p := range v.ValidateConfig(cfg) {
			t.Fatalf("step %s: %s: %s: %s", name, p.Attribute, p.Summary, p.Detail)
		}
	}
	return engine.Step{Name: name, ActionID: id, Action: a, Targets: targets, Config: cfg, AutoCorrect: true}
}

// Config decodes attrs against s: every attribute present, defaults
// applied, values converted to their types.
func Config(s actions.Schema, attrs map[string]cty.Value) (actions.Config, error) {
	out := map[string]cty.Value{}
	for name := range attrs {
		if _, ok := s.Lookup(name); !ok {
			return actions.Config{}, fmt.Errorf("unknown attribute %q", name)
		}
	}
	for _, a := range s.Attributes {
		typ := a.Type
		if a.Hosts {
			typ = cty.List(cty.String)
		}
		v, given := attrs[a.Name]
		switch {
		case given:
		case a.Default != cty.NilVal:
			v = a.Default
		case a.Required:
			return actions.Config{}, fmt.Errorf("missing attribute %q", a.Name)
		default:
			if typ == cty.DynamicPseudoType {
				v = cty.NullVal(cty.DynamicPseudoType)
			} else {
				v = cty.NullVal(typ)
			}
		}
		if typ != cty.DynamicPseudoType && !v.IsNull() {
			cv, err := convert.Convert(v, typ)
			if err != nil {
				return actions.Config{}, fmt.Errorf("attribute %q: %w", a.Name, err)
			}
			v = cv
		}
		out[a.Name] = v
	}
	return actions.NewConfig(cty.ObjectVal(out)), nil
}

// Input returns the engine input for steps over the lab's hosts.
func (h *Harness) Input(steps ...engine.Step) engine.Input {
	return engine.Input{
		Playbook:  plans.PlaybookRef{Name: "conformance", Digest: "sha256:playbook"},
		Inventory: plans.InventoryRef{Path: "lab", Digest: "sha256:inventory"},
		Steps:     steps,
		Hosts:     h.hosts,
	}
}

// Plan plans steps against the lab.
func (h *Harness) Plan(t testing.TB, steps ...engine.Step) *plans.Plan {
	t.Helper()
	p, err := h.Engine.Plan(context.Background(), h.Input(steps...), h.Conns)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if h.planned == nil {
		h.planned = map[*plans.Plan][]engine.Step{}
	}
	h.planned[p] = steps
	return p
}

// Apply applies p to the lab, re-evaluating steps: the steps given, or
// else those Plan made p from.
func (h *Harness) Apply(t testing.TB, p *plans.Plan, steps ...engine.Step) *engine.ApplyResult {
	t.Helper()
	if len(steps) == 0 {
		var ok bool
		if steps, ok = h.planned[p]; !ok {
			t.Fatal("apply: the plan was not made by this harness's Plan; pass the steps it was made from")
		}
	}
	res, err := h.Engine.Apply(context.Background(), p, h.Conns, engine.ApplyOptions{Input: h.Input(steps...)})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

// Instance returns the plan's instance of step on host.
func Instance(t testing.TB, p *plans.Plan, step, host string) plans.Instance {
	t.Helper()
	addr := plans.Address(step, host)
	for _, in := range p.Instances {
		if in.Address == addr {
			return in
		}
	}
	t.Fatalf("the plan has no instance %s", addr)
	return plans.Instance{}
}

// topology answers actions' questions about the lab's hosts.
type topology map[string]actions.Host

func (t topology) Host(name string) (actions.Host, bool) {
	h, ok := t[name]
	return h, ok
}

func (h *Harness) topology() topology {
	t := topology{}
	for _, x := range h.hosts {
		t[x.Name] = x
	}
	return t
}
