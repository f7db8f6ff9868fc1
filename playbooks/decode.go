package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/actions"
)

// fileSchema is the top level of a playbook file.
var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "playbook", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "step", LabelNames: []string{"action", "name"}},
	},
}

// decoder holds the state of one LoadDir.
type decoder struct {
	p   *Playbook
	reg *actions.Registry
	// localNames lists the locals in source order.
	localNames []string
}

// decode decodes the files' blocks, then runs the checks that need the
// whole playbook: references, local cycles and the step graph.
func (d *decoder) decode(files []*hcl.File) hcl.Diagnostics {
	var diags hcl.Diagnostics
	var playbookBlocks []*hcl.Block
	for _, f := range files {
		content, cd := f.Body.Content(fileSchema)
		diags = append(diags, cd...)
		for _, b := range content.Blocks {
			switch b.Type {
			case "playbook":
				playbookBlocks = append(playbookBlocks, b)
			case "variable":
				diags = append(diags, d.decodeVariable(b)...)
			case "locals":
				diags = append(diags, d.decodeLocals(b)...)
			case "step":
				diags = append(diags, d.decodeStep(b)...)
			}
		}
	}
	switch {
	case len(playbookBlocks) == 0 && len(files) > 0:
		rng := hcl.Range{Filename: files[0].Body.MissingItemRange().Filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing playbook block",
			Detail:   `A playbook needs exactly one playbook "<name>" block that names it.`,
			Subject:  &rng,
		})
	case len(playbookBlocks) > 0:
		diags = append(diags, d.decodePlaybook(playbookBlocks[0])...)
		for _, b := range playbookBlocks[1:] {
			rng := b.DefRange
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate playbook block",
				Detail:   fmt.Sprintf("A playbook has exactly one playbook block; the first is at %s.", playbookBlocks[0].DefRange),
				Subject:  &rng,
			})
		}
	}
	diags = append(diags, d.checkReferences()...)
	diags = append(diags, d.orderLocals()...)
	diags = append(diags, d.buildGraph()...)
	return diags
}
