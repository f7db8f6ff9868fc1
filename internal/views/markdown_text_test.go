package views

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarkdownEscapesOnlyMarkup(t *testing.T) {
	for _, tt := range []struct{ in, text, cell, code string }{
		{in: "ex01: 127.1.0.13 -> EX02\\Default EX02", text: "ex01: 127.1.0.13 -> EX02\\Default EX02"},
		{in: "w32tm /manualpeerlist:<reliable source> /update", text: "w32tm /manualpeerlist:\\<reliable source> /update"},
		{in: "a < b & c > d", text: "a < b & c > d"},
		{in: "set resolve_conflicts = \"x\"", text: "set resolve_conflicts = \"x\""},
		{in: "_x_ and *y* and `z` and ~~w~~", text: "\\_x\\_ and \\*y\\* and \\`z\\` and \\~\\~w\\~\\~"},
		{in: "[click](http://evil) ![i](x)", text: "[click\\](http://evil) \\![i\\](x)"},
		{in: "&lt;b&gt; &#39; & plain", text: "\\&lt;b\\&gt; \\&#39; & plain"},
		{in: "EX01$ and EX02$", text: "EX01\\$ and EX02\\$"},
		{in: "one EX01$", text: "one EX01$"},
		{in: "C:\\*.log and \\\\server\\share\\", text: "C:\\\\\\*.log and \\\\\\server\\share\\\\"},
		{in: "two\nlines", text: "two lines"},
		{in: "a | b", text: "a | b", cell: "a \\| b"},
		{in: "plain `tick`", code: "`` plain `tick` ``"},
		{in: "`edge", code: "`` `edge ``"},
	} {
		if tt.text != "" {
			if got := mdText(tt.in); got != tt.text {
				t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.text)
			}
		}
		if tt.cell != "" {
			if got := mdCell(tt.in); got != tt.cell {
				t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.cell)
			}
		}
		if tt.code != "" {
			if got := mdCode(tt.in); got != tt.code {
				t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.code)
			}
		}
	}
}

func TestMarkdownLineStartEscapesBlocks(t *testing.T) {
	got := []string{mdLineStart("# not a heading"), mdLineStart("> not a quote"), mdLineStart("- not a list"), mdLineStart("12. not a list"), mdLineStart("12 servers")}
	want := []string{"\\# not a heading", "\\> not a quote", "\\- not a list", "12\\. not a list", "12 servers"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestHangKeepsIndentation(t *testing.T) {
	if got, want := hang("first\n  second\r\nthird\n", "    "), "first\n      second\n    third"; got != want {
		t.Errorf("hang = %q, want %q", got, want)
	}
}
