package inventory

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// inventory decodes the whole file: domains first, since hosts refer to
// them, then hosts, then groups, which refer to hosts; then it merges.
func (d *decoder) inventory(body hcl.Body) *Inventory {
	content, diags := body.Content(fileSchema)
	d.diags = append(d.diags, diags...)

	inv := &Inventory{byName: map[string]*host{}}
	domains := d.domains(content.Blocks.OfType("domain"), inv)
	defaults := d.defaults(content.Blocks.OfType("winrm"))
	hosts, byName := d.hosts(content.Blocks.OfType("host"), domains)
	groups := d.groups(content.Blocks.OfType("group"), byName)
	inv.groups = groupOrder(content.Blocks, byName, groups)
	for _, h := range hosts {
		inv.addHost(d, h, groups, defaults)
	}
	return inv
}

// domains decodes the domain blocks into inv and returns the declared
// names with their ranges.
func (d *decoder) domains(blocks hcl.Blocks, inv *Inventory) map[string]hcl.Range {
	declared := map[string]hcl.Range{}
	for _, b := range blocks {
		name := canonicalDomain(b.Labels[0])
		if !validDNSName(name, 2) {
			d.errorf(b.LabelRanges[0], "Invalid domain name",
				"%q is not a DNS domain name such as corp.example.com.", b.Labels[0])
			continue
		}
		if prev, dup := declared[name]; dup {
			d.errorf(b.LabelRanges[0], "Duplicate domain", "Domain %q is already declared at %s.", name, prev)
			continue
		}
		declared[name] = b.DefRange
		inv.domains = append(inv.domains, d.domain(name, b))
	}
	return declared
}

// defaults decodes the top-level winrm block; there may be one.
func (d *decoder) defaults(blocks hcl.Blocks) winrmBlock {
	var w winrmBlock
	for i, b := range blocks {
		if i > 0 {
			d.errorf(b.DefRange, "Duplicate winrm block",
				"The inventory's WinRM defaults are already set at %s; merge the two blocks.", blocks[0].DefRange)
			continue
		}
		w = *d.winrm(b)
	}
	return w
}

// hosts decodes the host blocks, dropping duplicates (by name or fqdn).
func (d *decoder) hosts(blocks hcl.Blocks, domains map[string]hcl.Range) ([]*hostDecl, map[string]*hostDecl) {
	var hosts []*hostDecl
	byName := map[string]*hostDecl{}
	fqdns := map[string]string{}
	for _, b := range blocks {
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
	return hosts, byName
}

// groups decodes the group blocks, in declaration order, dropping
// duplicates. Decoding them after the hosts lets a group name hosts
// declared below it.
func (d *decoder) groups(blocks hcl.Blocks, hosts map[string]*hostDecl) []*groupDecl {
	var groups []*groupDecl
	declared := map[string]hcl.Range{}
	for _, b := range blocks {
		g := d.group(b, hosts)
		if g == nil {
			continue
		}
		if prev, dup := declared[g.name]; dup {
			d.errorf(b.LabelRanges[0], "Duplicate group", "Group %q is already declared at %s.", g.name, prev)
			continue
		}
		declared[g.name] = b.DefRange
		groups = append(groups, g)
	}
	return groups
}

// groupOrder lists every group, declared or only named by hosts, in the
// order the file first mentions it.
func groupOrder(blocks hcl.Blocks, hosts map[string]*hostDecl, groups []*groupDecl) []string {
	declared := map[hcl.Range]string{}
	for _, g := range groups {
		declared[g.rng] = g.name
	}
	var order []string
	add := func(g string) {
		if !slices.Contains(order, g) {
			order = append(order, g)
		}
	}
	for _, b := range blocks {
		switch b.Type {
		case "host":
			if h, ok := hosts[b.Labels[0]]; ok && h.rng == b.DefRange {
				for _, g := range h.groups {
					add(g)
				}
			}
		case "group":
			if name, ok := declared[b.DefRange]; ok {
				add(name)
			}
		}
	}
	return order
}
