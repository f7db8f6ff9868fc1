package lang

import (
	"strings"
	"testing"
)

// TestTooDeep: operators count for the element they belong to only, so
// long files of shallow expressions pass, and every kind of deep chain is
// caught.
func TestTooDeep(t *testing.T) {
	const limit = 10
	tests := []struct {
		name   string
		src    string
		config bool
		deep   bool
	}{
		{"many negative numbers in a list", "a = [" + strings.Repeat("-1, ", 1000) + "]\n", true, false},
		{"many attributes with operators", strings.Repeat("a = !b ? -1 : -2\n", 1000), true, false},
		{"many objects", "a = [" + strings.Repeat("{\n x = -1\n y = !z\n},\n", 1000) + "]\n", true, false},
		{"splats in a row of elements", "a = [" + strings.Repeat("x[*].y, ", 1000) + "]\n", true, false},
		{"nine bangs", strings.Repeat("!", 9) + "x", false, false},
		{"eleven bangs", strings.Repeat("!", 11) + "x", false, true},
		{"bangs across elements of one call", "f(" + strings.Repeat("!", 9) + "x, " + strings.Repeat("!", 9) + "y)", false, false},
		{"minus across newlines in parentheses", "a = (" + strings.Repeat("-\n", 11) + "1)\n", true, true},
		{"conditionals", "a = " + strings.Repeat("x ? 1 : ", 11) + "2\n", true, true},
		{"full splats", "a = x" + strings.Repeat("[*]", 11) + "\n", true, true},
		{"brackets", "a = " + strings.Repeat("[", 11) + "\n", true, true},
		{"blocks", strings.Repeat("b {\n", 11), true, true},
		{"templates", "a = " + strings.Repeat(`"${`, 11), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			if tt.config {
				got = ConfigTooDeep([]byte(tt.src), "f.hcl", limit) != nil
			} else {
				got = ExpressionTooDeep([]byte(tt.src), "<expr>", limit) != nil
			}
			if got != tt.deep {
				t.Errorf("too deep = %v, want %v", got, tt.deep)
			}
		})
	}
}
