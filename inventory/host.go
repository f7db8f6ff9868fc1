package inventory

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rectifyhq/rectify/actions"
)

var hostSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "fqdn", Required: true}, {Name: "address"}, {Name: "domain"},
		{Name: "site"}, {Name: "groups"}, {Name: "vars"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "winrm"}},
}

// hostDecl is a host block as written.
type hostDecl struct {
	name    string
	fqdn    string
	fqdnRng hcl.Range
	address string
	domain  string
	site    string
	groups  []string
	vars    map[string]string
	winrm   *winrmBlock
	rng     hcl.Range
}

// addHost merges a host's groups, vars and WinRM settings.
func (inv *Inventory) addHost(d *decoder, h *hostDecl, groups []*groupDecl, defaults winrmBlock) {
	facts := actions.Host{
		Name: h.name, FQDN: h.fqdn, Address: h.address, Domain: h.domain, Site: h.site,
		Groups: slices.Clone(h.groups),
	}
	vars := map[string]string{}
	w := defaults
	for _, g := range groups {
		if !g.hosts[h.name] && !slices.Contains(h.groups, g.name) {
			continue
		}
		if !slices.Contains(facts.Groups, g.name) {
			facts.Groups = append(facts.Groups, g.name)
		}
		for k, v := range g.vars {
			vars[k] = v
		}
		w = w.over(g.winrm)
	}
	for k, v := range h.vars {
		vars[k] = v
	}
	if len(vars) > 0 {
		facts.Vars = vars
	}
	w = w.over(h.winrm)
	settings := w.settings(h.fqdn, h.address)
	facts.Session = settings.Session()
	if settings.Password.IsSet() {
		// Ops that authenticate beyond the host get the WinRM account's
		// password as an explicit credential.
		facts.Session.Credential = true
	}
	w.checkSecurity(d, settings, h.rng)
	hst := &host{facts: facts, winrm: settings, rng: h.rng}
	inv.hosts = append(inv.hosts, hst)
	inv.byName[h.name] = hst
}

// checkName reports a host or group name that cannot be referred to as
// host.<name> or group.<name> in a playbook.
func (d *decoder) checkName(kind string, b *hcl.Block) bool {
	if hclsyntax.ValidIdentifier(b.Labels[0]) {
		return true
	}
	d.errorf(b.LabelRanges[0], "Invalid "+kind+" name",
		"%q cannot be referred to as %s.<name>: a name starts with a letter and holds letters, digits, underscores and hyphens.", b.Labels[0], kind)
	return false
}

// host decodes a host block. It returns nil when the name cannot be used;
// problems with attributes are reported and the host kept.
func (d *decoder) host(b *hcl.Block, domains map[string]hcl.Range) *hostDecl {
	content, diags := b.Body.Content(hostSchema)
	d.diags = append(d.diags, diags...)
	ok := d.checkName("host", b)
	h := &hostDecl{name: b.Labels[0], rng: b.DefRange}
	a := content.Attributes
	if s, set := d.requiredFact(a["fqdn"]); set {
		if ValidFQDN(s) {
			h.fqdn, h.fqdnRng = s, a["fqdn"].Expr.Range()
		} else {
			d.errorf(a["fqdn"].Expr.Range(), "Invalid fqdn",
				"%s is not a fully qualified DNS name such as ex01.corp.example.com.", fmt.Sprintf("%q", s))
		}
	}
	if s, set := d.fact(a["address"]); set {
		if validAddress(s) {
			h.address = s
		} else {
			d.errorf(a["address"].Expr.Range(), "Invalid address",
				"%s is neither an IP address nor a host name. Write the address without a port; the port belongs in the winrm block.", fmt.Sprintf("%q", s))
		}
	}
	if s, set := d.fact(a["domain"]); set {
		name := canonicalDomain(s)
		if _, known := domains[name]; known {
			h.domain = name
		} else {
			d.errorf(a["domain"].Expr.Range(), "Unknown domain",
				"No domain block declares %s.", fmt.Sprintf("%q", s))
		}
	}
	if s, set := d.fact(a["site"]); set {
		h.site = s
	}
	if items, _ := d.stringList(a["groups"]); len(items) > 0 {
		for _, it := range items {
			if !hclsyntax.ValidIdentifier(it.Value) {
				d.errorf(it.Range, "Invalid group name",
					"%q cannot be referred to as group.<name>: a name starts with a letter and holds letters, digits, underscores and hyphens.", it.Value)
				continue
			}
			if !slices.Contains(h.groups, it.Value) {
				h.groups = append(h.groups, it.Value)
			}
		}
	}
	if m, set := d.stringMap(a["vars"]); set {
		h.vars = m
	}
	h.winrm = d.onlyWinRM(content.Blocks, fmt.Sprintf("Host %q", h.name))
	if !ok {
		return nil
	}
	return h
}
