package inventory

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting bounds how deeply an inventory may nest blocks, brackets,
// templates and prefix operators. HCL's parser recurses once per level, and
// a Go stack overflow cannot be recovered from, so deeper input is refused
// before it is parsed. Real inventories nest a handful of levels.
const MaxNesting = 128

// checkNesting scans src with HCL's (iterative) lexer and reports the first
// token that reaches deeper than MaxNesting. Besides brackets it counts the
// prefix and conditional operators (!, -, ?) of one element, since the
// parser recurses on those too; newlines and commas end an element where
// the parser treats them as separators.
func checkNesting(src []byte, filename string) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	type level struct {
		newlineEnds bool // newlines separate elements at this level
		ops         int  // prefix and conditional operators in the current element
	}
	stack := []level{{newlineEnds: true}}
	ops := 0
	for _, tok := range tokens {
		top := &stack[len(stack)-1]
		switch tok.Type {
		case hclsyntax.TokenOBrace:
			stack = append(stack, level{newlineEnds: true})
		case hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, level{})
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
			hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			if len(stack) > 1 {
				ops -= top.ops
				stack = stack[:len(stack)-1]
			}
		case hclsyntax.TokenComma:
			ops -= top.ops
			top.ops = 0
		case hclsyntax.TokenNewline:
			if top.newlineEnds {
				ops -= top.ops
				top.ops = 0
			}
		case hclsyntax.TokenBang, hclsyntax.TokenMinus, hclsyntax.TokenQuestion:
			top.ops++
			ops++
		}
		if len(stack)-1+ops > MaxNesting {
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Nesting too deep",
				Detail:   fmt.Sprintf("The file nests blocks, brackets or operators more than %d levels deep; an inventory needs only a few.", MaxNesting),
				Subject:  tok.Range.Ptr(),
			}}
		}
	}
	return nil
}
