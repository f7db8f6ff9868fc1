package views

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
)

// ValidationFormatVersion is the version of the document "rectify validate
// -json" prints (docs/schema/validate.v1.json).
const ValidationFormatVersion = "1.0"

// Validation is the result of "rectify validate -json", shaped as
// "terraform validate -json" shapes its own, so that tools reading one
// read the other.
type Validation struct {
	FormatVersion string       `json:"format_version"`
	Valid         bool         `json:"valid"`
	ErrorCount    int          `json:"error_count"`
	WarningCount  int          `json:"warning_count"`
	Diagnostics   []Diagnostic `json:"diagnostics"`
}

// Diagnostic is one problem of the input.
type Diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	// Range is where the problem is; nil for a problem of no place (a
	// file that cannot be read).
	Range   *Range   `json:"range,omitempty"`
	Snippet *Snippet `json:"snippet,omitempty"`
}

// Range is a span of a file.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Pos is a position in a file: line and column count from 1 (columns in
// characters), byte from 0.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Snippet is the source lines of a diagnostic's range, with the offsets of
// the range within them.
type Snippet struct {
	Code      string `json:"code"`
	StartLine int    `json:"start_line"`
	// HighlightStartOffset and HighlightEndOffset are byte offsets of the
	// range within Code.
	HighlightStartOffset int `json:"highlight_start_offset"`
	HighlightEndOffset   int `json:"highlight_end_offset"`
}

// NewValidation builds the validation result of diags. files holds the
// sources the ranges point into, keyed by the names the ranges use; name
// turns a range's file name into the one shown (relative to the working
// directory).
func NewValidation(diags hcl.Diagnostics, files map[string][]byte, name func(string) string) Validation {
	v := Validation{FormatVersion: ValidationFormatVersion, Diagnostics: []Diagnostic{}}
	for _, d := range diags {
		out := Diagnostic{Summary: d.Summary, Detail: d.Detail}
		switch d.Severity {
		case hcl.DiagError:
			out.Severity = "error"
			v.ErrorCount++
		case hcl.DiagWarning:
			out.Severity = "warning"
			v.WarningCount++
		default:
			continue
		}
		if r := d.Subject; r != nil {
			out.Range = &Range{
				Filename: name(r.Filename),
				Start:    Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
				End:      Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
			}
			src := files[r.Filename]
			if _, secret := hcl.DiagnosticExtra[secretSource](d); secret {
				src = MaskRange(src, *r)
			}
			out.Snippet = snippet(src, *r)
		}
		v.Diagnostics = append(v.Diagnostics, out)
	}
	v.Valid = v.ErrorCount == 0
	return v
}

// secretSource is inventory.SecretSource: a diagnostic whose range holds
// a secret shows it masked.
type secretSource interface {
	SecretSource() bool
}

// snippet cuts the whole lines r covers out of src; nil when src does not
// hold them.
func snippet(src []byte, r hcl.Range) *Snippet {
	if src == nil || r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return nil
	}
	start := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[r.End.Byte:], '\n'); i >= 0 {
		end = r.End.Byte + i
	}
	if r.End.Byte > r.Start.Byte && r.End.Byte > 0 && src[r.End.Byte-1] == '\n' {
		end = r.End.Byte - 1
	}
	if end < start {
		end = start
	}
	code := bytes.TrimRight(src[start:end], "\r")
	hs, he := r.Start.Byte-start, r.End.Byte-start
	he = min(he, len(code))
	hs = min(hs, he)
	return &Snippet{Code: string(code), StartLine: r.Start.Line, HighlightStartOffset: hs, HighlightEndOffset: he}
}

// MaskRange returns a copy of src with the bytes of r replaced by
// asterisks: the snippet of a diagnostic about a password written in a
// file shows where it is, not what it is.
func MaskRange(src []byte, r hcl.Range) []byte {
	if src == nil || r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte >= r.End.Byte {
		return src
	}
	out := bytes.Clone(src)
	for i := r.Start.Byte; i < r.End.Byte; i++ {
		if out[i] != '\n' {
			out[i] = '*'
		}
	}
	return out
}
