package inventory

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDeepOperatorChains: long chains of prefix operators, conditionals
// and full splats are refused before HCL's recursive parser sees them,
// with the diagnostic at the token that goes too deep. The stack limit is
// lowered so that a regression fails fast instead of first growing a
// gigabyte of stack.
func TestDeepOperatorChains(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	const head = `host "a" { fqdn = `
	tests := []struct {
		name, expr string
		// col is the column of the diagnostic, 0 when not checked.
		col int
	}{
		// The host block is one level; the 128th operator is one too many.
		{"a million bangs", strings.Repeat("!", 1_000_000) + "true", len(head) + MaxNesting},
		{"minus", strings.Repeat("-", 200_000) + "1", len(head) + MaxNesting},
		{"conditional", strings.Repeat("true ? 1 : ", 80_000) + "2", 0},
		{"splat", "x" + strings.Repeat("[*]", 300_000), 0},
		{"splat in a list", "[x" + strings.Repeat("[*]", 300_000) + "]", 0},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".hcl")
			if err := os.WriteFile(path, []byte(head+tt.expr+" }\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			inv, diags := Load(path, lookupTestEnv)
			if inv != nil || len(diags) != 1 || diags[0].Summary != "Nesting too deep" || diags[0].Subject == nil {
				t.Fatalf("Load = %v, want one \"Nesting too deep\" error", diags)
			}
			at := diags[0].Subject
			if at.Filename != path || at.Start.Line != 1 {
				t.Errorf("diagnostic at %s, want line 1 of %s", at, path)
			}
			if tt.col != 0 {
				if diff := cmp.Diff(tt.col, at.Start.Column); diff != "" {
					t.Errorf("column (-want +got):\n%s", diff)
				}
			}
		})
	}
}
