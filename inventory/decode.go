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

var groupSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "hosts"}, {Name: "vars"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "winrm"}},
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

// groupDecl is a group block as written.
type groupDecl struct {
	name  string
	hosts map[string]bool
	vars  map[string]string
	winrm *winrmBlock
}

// inventory decodes the whole file: domains first, since hosts refer to
// them, then hosts, then groups, which refer to hosts; then it merges.
func (d *decoder) inventory(body hcl.Body) *Inventory {
	content, diags := body.Content(fileSchema)
	d.diags = append(d.diags, diags...)

	inv := &Inventory{byName: map[string]*host{}}
	domains := map[string]hcl.Range{}
	for _, b := range blocksOf(content, "domain") {
		name := canonicalDomain(b.Labels[0])
		if !validDNSName(name, 2) {
			d.errorf(b.LabelRanges[0], "Invalid domain name",
				"%q is not a DNS domain name such as corp.example.com.", b.Labels[0])
			continue
		}
		if prev, dup := domains[name]; dup {
			d.errorf(b.LabelRanges[0], "Duplicate domain", "Domain %q is already declared at %s.", name, prev)
			continue
		}
		domains[name] = b.DefRange
		inv.domains = append(inv.domains, d.domain(name, b))
	}

	var defaults winrmBlock
	for i, b := range blocksOf(content, "winrm") {
		if i > 0 {
			d.errorf(b.DefRange, "Duplicate winrm block",
				"The inventory's WinRM defaults are already set at %s; merge the two blocks.", blocksOf(content, "winrm")[0].DefRange)
			continue
		}
		defaults = *d.winrm(b)
	}

	var hosts []*hostDecl
	byName := map[string]*hostDecl{}
	fqdns := map[string]string{}
	var groupOrder []string
	addGroup := func(g string) {
		if !slices.Contains(groupOrder, g) {
			groupOrder = append(groupOrder, g)
		}
	}
	var groups []*groupDecl
	groupNames := map[string]hcl.Range{}

	// Hosts are decoded before groups so that groups can name hosts declared
	// after them; groupOrder still follows the file.
	for _, b := range content.Blocks {
		if b.Type != "host" {
			continue
		}
		h := d.host(b, domains)
		if h == nil {
			continue
		}
		if prev, dup := byName[h.name]; dup {
			d.errorf(b.LabelRanges[0], "Duplicate host", "Host %q is already declared at %s.", h.name, prev.rng)
			continue
		}
		if h.fqdn != "" {
			key := canonicalDomain(h.fqdn)
			if other, dup := fqdns[key]; dup {
				d.errorf(h.fqdnRng, "Duplicate fqdn", "Host %q has the fqdn of host %q; each machine is declared once.", h.name, other)
				continue
			}
			fqdns[key] = h.name
		}
		byName[h.name] = h
		hosts = append(hosts, h)
	}
	for _, b := range content.Blocks {
		switch b.Type {
		case "host":
			if h, ok := byName[b.Labels[0]]; ok && h.rng == b.DefRange {
				for _, g := range h.groups {
					addGroup(g)
				}
			}
		case "group":
			g := d.group(b, byName)
			if g == nil {
				continue
			}
			if prev, dup := groupNames[g.name]; dup {
				d.errorf(b.LabelRanges[0], "Duplicate group", "Group %q is already declared at %s.", g.name, prev)
				continue
			}
			groupNames[g.name] = b.DefRange
			groups = append(groups, g)
			addGroup(g.name)
		}
	}
	inv.groups = groupOrder

	for _, h := range hosts {
		inv.addHost(d, h, groups, defaults)
	}
	return inv
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
	if settings.Auth == AuthBasic && !settings.HTTPS {
		d.errorf(w.AuthRange, "Basic authentication over HTTP",
			"Basic authentication would send the WinRM password in clear text over HTTP; set https = true, or use ntlm.")
	}
	hst := &host{facts: facts, winrm: settings, rng: h.rng}
	inv.hosts = append(inv.hosts, hst)
	inv.byName[h.name] = hst
}

func blocksOf(c *hcl.BodyContent, typ string) hcl.Blocks {
	return c.Blocks.OfType(typ)
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

func (d *decoder) host(b *hcl.Block, domains map[string]hcl.Range) *hostDecl {
	content, diags := b.Body.Content(hostSchema)
	d.diags = append(d.diags, diags...)
	ok := d.checkName("host", b)
	h := &hostDecl{name: b.Labels[0], rng: b.DefRange}
	a := content.Attributes
	if s, set := d.requiredFact(a["fqdn"]); set {
		if validFQDN(s) {
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

func (d *decoder) group(b *hcl.Block, hosts map[string]*hostDecl) *groupDecl {
	content, diags := b.Body.Content(groupSchema)
	d.diags = append(d.diags, diags...)
	ok := d.checkName("group", b)
	g := &groupDecl{name: b.Labels[0], hosts: map[string]bool{}}
	a := content.Attributes
	if items, _ := d.stringList(a["hosts"]); len(items) > 0 {
		for _, it := range items {
			if _, known := hosts[it.Value]; !known {
				d.errorf(it.Range, "Unknown host", "No host block is named %q.", it.Value)
				continue
			}
			g.hosts[it.Value] = true
		}
	}
	if m, set := d.stringMap(a["vars"]); set {
		g.vars = m
	}
	g.winrm = d.onlyWinRM(content.Blocks, fmt.Sprintf("Group %q", g.name))
	if !ok {
		return nil
	}
	return g
}

// onlyWinRM decodes the single winrm block of a host or group.
func (d *decoder) onlyWinRM(blocks hcl.Blocks, owner string) *winrmBlock {
	var w *winrmBlock
	for i, b := range blocks.OfType("winrm") {
		if i > 0 {
			d.errorf(b.DefRange, "Duplicate winrm block", "%s already has a winrm block at %s.", owner, blocks.OfType("winrm")[0].DefRange)
			continue
		}
		w = d.winrm(b)
	}
	return w
}
