package inventory

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/internal/lang"
)

// MaxNesting bounds how deeply an inventory may nest blocks, brackets,
// templates and prefix, conditional and splat operators. HCL's parser
// recurses once per level, and a Go stack overflow cannot be recovered
// from, so deeper input is refused before it is parsed. Real inventories
// nest a handful of levels.
const MaxNesting = 128

// checkNesting reports the first token of src that reaches deeper than
// MaxNesting.
func checkNesting(src []byte, filename string) hcl.Diagnostics {
	at := lang.ConfigTooDeep(src, filename, MaxNesting)
	if at == nil {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Nesting too deep",
		Detail:   fmt.Sprintf("The file nests blocks, brackets or operators more than %d levels deep; an inventory needs only a few.", MaxNesting),
		Subject:  at,
	}}
}
