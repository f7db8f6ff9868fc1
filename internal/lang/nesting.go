package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// ConfigTooDeep lexes src as an HCL configuration file and returns the range
// of the first token at which HCL's parser would recurse more than limit
// levels deep, or nil. HCL's parser recurses once per block, bracket, brace,
// parenthesis and template, once per prefix operator (! and -), once per
// conditional (?) and once per full splat ([*]); a Go stack overflow is fatal
// and cannot be recovered from, so deeper input must be refused before it is
// parsed. The lexer itself does not recurse.
func ConfigTooDeep(src []byte, filename string, limit int) *hcl.Range {
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	return tooDeep(tokens, limit, true)
}

// ExpressionTooDeep is ConfigTooDeep for the text of one expression, such
// as the value of a -var flag.
func ExpressionTooDeep(src []byte, filename string, limit int) *hcl.Range {
	tokens, _ := hclsyntax.LexExpression(src, filename, hcl.InitialPos)
	return tooDeep(tokens, limit, false)
}

// tooDeep measures the depth of every token: the brackets open around it
// plus the prefix, conditional and splat operators of the elements it is
// part of. Commas end an element everywhere, newlines only where the parser
// treats them as separators (in bodies and object constructors; at the top
// of a configuration file when topNewlinesEnd is set).
func tooDeep(tokens hclsyntax.Tokens, limit int, topNewlinesEnd bool) *hcl.Range {
	type level struct {
		newlineEnds bool // newlines separate elements at this level
		ops         int  // operators of the current element at this level
	}
	stack := []level{{newlineEnds: topNewlinesEnd}}
	ops := 0 // the sum of every level's ops
	var prev hclsyntax.TokenType
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
		case hclsyntax.TokenStar:
			if prev == hclsyntax.TokenOBrack && len(stack) > 1 {
				// A full splat: the parser recurses for the rest of the
				// traversal, which belongs to the element around it.
				stack[len(stack)-2].ops++
				ops++
			}
		}
		prev = tok.Type
		if len(stack)-1+ops > limit {
			rng := tok.Range
			return &rng
		}
	}
	return nil
}
