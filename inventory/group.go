package inventory

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

var groupSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "hosts"}, {Name: "vars"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "winrm"}},
}

// groupDecl is a group block as written.
type groupDecl struct {
	name  string
	rng   hcl.Range
	hosts map[string]bool
	vars  map[string]string
	winrm *winrmBlock
}

// group decodes a group block; hosts are the hosts declared in the file.
// It returns nil when the name cannot be used.
func (d *decoder) group(b *hcl.Block, hosts map[string]*hostDecl) *groupDecl {
	content, diags := b.Body.Content(groupSchema)
	d.diags = append(d.diags, diags...)
	ok := d.checkName("group", b)
	g := &groupDecl{name: b.Labels[0], rng: b.DefRange, hosts: map[string]bool{}}
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
