package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEmptySelectionIsAnErrorEverywhere: a step whose targets select no
// host of the inventory is the same error in plan, apply and watch as in
// validate, with the same diagnostic, and nothing is read or changed.
func TestEmptySelectionIsAnErrorEverywhere(t *testing.T) {
	const (
		inv = "internal/cli/testdata/no-dc.hcl"
		kb  = "internal/cli/testdata/kb"
	)
	state := filepath.Join(t.TempDir(), "journal.db")
	validate := run(t, runOptions{}, "validate", "-inventory", inv, kb)
	want := renderedDiagnostics(validate.stderr)
	if len(want) != 2 {
		t.Fatalf("validate reports %q, want the two empty selections of no-dc.hcl\n%s", want, validate)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"plan", []string{"plan", "-state", state, "-inventory", inv, kb}},
		{"plan -detailed-exitcode", []string{"plan", "-detailed-exitcode", "-state", state, "-inventory", inv, kb}},
		{"apply", []string{"apply", "-auto-approve", "-state", state, "-inventory", inv, kb}},
		{"watch", []string{"watch", "-once", "-state", state, "-inventory", inv, kb}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, runOptions{}, tt.args...)
			if got.code != exitError {
				t.Errorf("exit code = %d, want %d\n%s", got.code, exitError, got)
			}
			if diff := cmp.Diff(want, renderedDiagnostics(got.stderr)); diff != "" {
				t.Errorf("diagnostics differ from validate's (-validate +%s):\n%s\n%s", tt.name, diff, got)
			}
			if !strings.Contains(got.stderr, "nothing was read or changed: 2 errors") {
				t.Errorf("stderr does not say nothing was read or changed:\n%s", got)
			}
			if strings.Contains(got.stdout, "No changes") {
				t.Errorf("stdout claims no changes:\n%s", got)
			}
		})
	}
}
