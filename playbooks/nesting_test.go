package playbooks

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// TestDeepOperatorChains: a million prefix operators, or long chains of
// conditionals or full splats, in a playbook, a var-file or a -var value
// are refused with a diagnostic at the token that goes too deep, before
// HCL's recursive parser sees them. Without the check the parser exhausts
// the stack, which is fatal: the test lowers the stack limit so that such
// a regression fails fast instead of growing a gigabyte of stack first.
func TestDeepOperatorChains(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	const million = 1_000_000
	chains := []struct {
		name, expr string
		// prefix is set when the chain starts with MaxNesting or more
		// prefix operators, so the diagnostic's column is known.
		prefix bool
	}{
		{"bang", strings.Repeat("!", million) + "true", true},
		{"minus", strings.Repeat("-", 200_000) + "1", true},
		{"minus across lines in parentheses", "(" + strings.Repeat("-\n", 200_000) + "1)", false},
		{"conditional", strings.Repeat("true ? 1 : ", 80_000) + "2", false},
		{"splat", "var.list" + strings.Repeat("[*]", 300_000), false},
	}
	for _, c := range chains {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, src string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			// In a step attribute of the playbook.
			pbDir := filepath.Join(dir, "pb")
			if err := os.Mkdir(pbDir, 0o700); err != nil {
				t.Fatal(err)
			}
			stepSrc := "playbook \"deep\" {}\nstep \"ad.spn\" \"s\" {\n  targets = group.exchange\n  account = " + c.expr + "\n}\n"
			stepFile := filepath.Join(pbDir, "playbook.hcl")
			if err := os.WriteFile(stepFile, []byte(stepSrc), 0o600); err != nil {
				t.Fatal(err)
			}
			_, diags := Load(pbDir, testactions.Registry(), EvalInput{Hosts: testHosts()})
			// The step body is one level deep already.
			checkTooDeep(t, "playbook", diags, stepFile, 4, 13+MaxNesting-1, c.prefix)

			// In a var-file.
			pb := filepath.Join(dir, "vars-pb")
			if err := os.Mkdir(pb, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(pb, "playbook.hcl"), []byte("playbook \"v\" {}\nvariable \"x\" {}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			varFile := write("deep.vars", "x = "+c.expr+"\n")
			_, diags = Load(pb, testactions.Registry(), EvalInput{VarFiles: []string{varFile}})
			checkTooDeep(t, "var-file", diags, varFile, 1, 5+MaxNesting, c.prefix)

			// In a -var value of a typed variable (parsed as an expression).
			if err := os.WriteFile(filepath.Join(pb, "playbook.hcl"), []byte("playbook \"v\" {}\nvariable \"x\" {\n  type = any\n}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, diags = Load(pb, testactions.Registry(), EvalInput{Vars: map[string]string{"x": c.expr}})
			checkTooDeep(t, "-var", diags, "<value for var.x>", 1, 1+MaxNesting, c.prefix)
		})
	}
}

// checkTooDeep wants exactly one "Too deeply nested" error in file; when
// exact is set, at line:col.
func checkTooDeep(t *testing.T, where string, diags hcl.Diagnostics, file string, line, col int, exact bool) {
	t.Helper()
	var found []*hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == "Too deeply nested" {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d \"Too deeply nested\" diagnostics, want 1; all: %v", where, len(found), diags)
	}
	d := found[0]
	if d.Severity != hcl.DiagError || d.Subject == nil || d.Subject.Filename != file {
		t.Fatalf("%s: %+v, want an error in %s", where, d, file)
	}
	if !exact {
		return
	}
	got := [2]int{d.Subject.Start.Line, d.Subject.Start.Column}
	if diff := cmp.Diff([2]int{line, col}, got); diff != "" {
		t.Errorf("%s: diagnostic at line:column (-want +got):\n%s", where, diff)
	}
}
