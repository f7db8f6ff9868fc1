package playbooks

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting is the deepest nesting of brackets, braces, parentheses and
// templates a file may have. HCL's parser is recursive; without this limit
// a file of "[[[[..." would exhaust the stack.
const MaxNesting = 100

// checkNesting lexes src (the lexer does not recurse) and reports the first
// place where nesting goes deeper than MaxNesting.
func checkNesting(src []byte, name string) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
	depth := 0
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
			if depth > MaxNesting {
				rng := tok.Range
				return hcl.Diagnostics{{
					Severity: hcl.DiagError,
					Summary:  "Too deeply nested",
					Detail:   fmt.Sprintf("Brackets, braces, parentheses and templates may nest at most %d deep.", MaxNesting),
					Subject:  &rng,
				}}
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
