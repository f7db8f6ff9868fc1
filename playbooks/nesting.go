package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/internal/lang"
)

// MaxNesting is the deepest nesting of blocks, brackets, braces,
// parentheses, templates and prefix, conditional and splat operators a file
// or a -var value may have. HCL's parser is recursive; without this limit a
// file of "[[[[..." or "!!!!..." would exhaust the stack.
const MaxNesting = 100

// checkNesting reports the first place where src (a file) nests deeper than
// MaxNesting.
func checkNesting(src []byte, name string) hcl.Diagnostics {
	return nestingDiagnostic(lang.ConfigTooDeep(src, name, MaxNesting))
}

// checkExpressionNesting is checkNesting for the text of one expression.
func checkExpressionNesting(src []byte, name string) hcl.Diagnostics {
	return nestingDiagnostic(lang.ExpressionTooDeep(src, name, MaxNesting))
}

func nestingDiagnostic(at *hcl.Range) hcl.Diagnostics {
	if at == nil {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Too deeply nested",
		Detail: fmt.Sprintf("Blocks, brackets, braces, parentheses, templates and the operators !, -, ? and [*] "+
			"may nest at most %d deep.", MaxNesting),
		Subject: at,
	}}
}
