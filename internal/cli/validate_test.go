package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testSecret is recognisable wherever it would leak.
const testSecret = "Tr0ub4dor-horse-staple-5150"

// testEnvironment is the process environment the tests give rectify.
var testEnvironment = map[string]string{
	"RECTIFY_WINRM_USER":     `CORP\svc-rectify`,
	"RECTIFY_WINRM_PASSWORD": testSecret,
	"RECTIFY_LAB_PASSWORD":   testSecret,
	"RECTIFY_DC02_PASSWORD":  testSecret,
	"RECTIFY_TEST_SECRET":    testSecret,
}

// result is what one in-process run produced.
type result struct {
	code           int
	stdout, stderr string
}

// runOptions vary the environment of one run.
type runOptions struct {
	terminal bool
	width    int
	// env adds to, or overrides, testEnvironment.
	env map[string]string
}

// run runs rectify in-process from the repository root, with the test
// actions registered.
func run(t *testing.T, opts runOptions, args ...string) result {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := Env{
		Stdout: &stdout,
		Stderr: &stderr,
		LookupEnv: func(name string) (string, bool) {
			if v, ok := opts.env[name]; ok {
				return v, true
			}
			v, ok := testEnvironment[name]
			return v, ok
		},
		Getwd:         func() (string, error) { return root, nil },
		IsTerminal:    func(io.Writer) bool { return opts.terminal },
		TerminalWidth: func(io.Writer) int { return opts.width },
		Actions:       testactions.Registry(),
		Version:       "v0.0.0-test",
	}
	code := Run(context.Background(), args, env)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// TestValidateGolden runs validate over the command line's own fixtures
// and the inventory's, and compares everything it printed with golden
// files (go test -update rewrites them).
func TestValidateGolden(t *testing.T) {
	const (
		inventory = "inventory/testdata/valid/corp.hcl"
		kb        = "internal/cli/testdata/kb"
		empty     = "internal/cli/testdata/empty"
	)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{name: "kb", args: []string{"validate", kb}, wantCode: 0},
		{name: "kb-inventory", args: []string{"validate", "-inventory", inventory, kb}, wantCode: 0},
		{name: "kb-double-dash", args: []string{"validate", "--inventory", inventory, kb + "/playbook.hcl"}, wantCode: 0},
		{name: "kb-equals", args: []string{"validate", "-inventory=" + inventory, kb}, wantCode: 0},
		{name: "flags-after-playbook", args: []string{"validate", kb, "-inventory", inventory}, wantCode: 0},
		{name: "empty-selection", args: []string{"validate", "-inventory", "internal/cli/testdata/no-dc.hcl", kb}, wantCode: 1},
		{name: "inventory-errors", args: []string{"validate", "-inventory", "inventory/testdata/errors/hosts.hcl", empty}, wantCode: 1},
		{name: "inventory-warnings", args: []string{"validate", "-inventory", "inventory/testdata/warnings.hcl", empty}, wantCode: 0},
		{name: "missing-playbook", args: []string{"validate", "no/such/playbook"}, wantCode: 1},
		{name: "missing-inventory", args: []string{"validate", "-inventory", "no/such/inventory.hcl", empty}, wantCode: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, runOptions{}, tt.args...)
			if got.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s", got.code, tt.wantCode, got)
			}
			golden(t, tt.name, got.String())
		})
	}
}

// TestValidatePlaybookFixtures runs validate over every error fixture of
// the playbooks package, against an inventory of the hosts those fixtures
// assume, and checks that each "# ERROR:" and "# WARNING:" marker comes
// out rendered at its file and line, and nothing else; a step that selects
// no host is an error in validate. Every fixture exits 1.
func TestValidatePlaybookFixtures(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Glob(filepath.Join(root, "playbooks/testdata/invalid/*"))
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no playbook fixtures: %v", err)
	}
	for _, abs := range fixtures {
		rel, _ := filepath.Rel(root, abs)
		t.Run(filepath.Base(rel), func(t *testing.T) {
			want := fixtureMarkers(t, root, rel)
			if len(want) == 0 {
				t.Fatalf("%s is an invalid-playbook fixture without a # ERROR: marker", rel)
			}
			got := run(t, runOptions{}, "validate", "-inventory", "internal/cli/testdata/playbook-tests.hcl", rel)
			if got.code != 1 {
				t.Errorf("exit code = %d, want 1", got.code)
			}
			if diff := cmp.Diff(want, renderedDiagnostics(got.stderr)); diff != "" {
				t.Errorf("rendered diagnostics (-markers +got):\n%s\n%s", diff, got)
			}
		})
	}
}

// fixtureMarker finds the markers on a fixture line.
var fixtureMarker = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([^#]*[^#\s])`)

// fixtureMarkers reads the markers of the .hcl files at rel (a file or a
// directory) as "file:line: SEVERITY: summary", with "No hosts selected"
// as an error, which is what validate makes of it.
func fixtureMarkers(t *testing.T, root, rel string) []string {
	t.Helper()
	files := []string{rel}
	if st, err := os.Stat(filepath.Join(root, rel)); err == nil && st.IsDir() {
		matches, _ := filepath.Glob(filepath.Join(root, rel, "*.hcl"))
		files = files[:0]
		for _, m := range matches {
			r, _ := filepath.Rel(root, m)
			files = append(files, r)
		}
	}
	var out []string
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			for _, m := range fixtureMarker.FindAllStringSubmatch(line, -1) {
				sev := m[1]
				if m[2] == "No hosts selected" {
					sev = "ERROR"
				}
				out = append(out, fmt.Sprintf("%s:%d: %s: %s", f, i+1, sev, m[2]))
			}
		}
	}
	sort.Strings(out)
	return out
}

// renderedDiagnostic matches the head of one diagnostic as HCL's text
// writer prints it.
var renderedDiagnostic = regexp.MustCompile(`(?m)^(Error|Warning): (.+)\n\n  on (\S+) line (\d+)`)

// renderedDiagnostics reads the diagnostics back from validate's output.
func renderedDiagnostics(stderr string) []string {
	var out []string
	for _, m := range renderedDiagnostic.FindAllStringSubmatch(stderr, -1) {
		out = append(out, fmt.Sprintf("%s:%s: %s: %s", m[3], m[4], strings.ToUpper(m[1]), m[2]))
	}
	if n := strings.Count(stderr, "\nError: ") + strings.Count(stderr, "\nWarning: ") + boolInt(strings.HasPrefix(stderr, "Error: ") || strings.HasPrefix(stderr, "Warning: ")); n != len(out) {
		out = append(out, fmt.Sprintf("(%d diagnostics without a source range)", n-len(out)))
	}
	sort.Strings(out)
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output mismatch for %s (-golden +got):\n%s", path, diff)
	}
}

// TestValidateSummaries checks the line a valid playbook ends with.
func TestValidateSummaries(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{
			// clocks and smtp target ex01 and ex02, push dc01 and dc02,
			// hq_only ex01: three target groups over four hosts.
			args: []string{"validate", "-inventory", "inventory/testdata/valid/corp.hcl", "internal/cli/testdata/kb"},
			want: "Playbook kb is valid: 4 steps, 3 target groups, 4 hosts.\n",
		},
		{
			// Without an inventory, target groups are told apart by their
			// expressions: group.exchange, group.dc and the for expression.
			args: []string{"validate", "internal/cli/testdata/kb"},
			want: "Playbook kb is valid: 4 steps, 3 target groups.\n",
		},
		{
			args: []string{"validate", "internal/cli/testdata/empty"},
			want: "Playbook empty is valid: 0 steps, 0 target groups.\n",
		},
		{
			args: []string{"validate", "-inventory", "inventory/testdata/warnings.hcl", "internal/cli/testdata/empty"},
			want: "Playbook empty is valid: 0 steps, 0 target groups, 0 hosts. (3 warnings above)\n",
		},
	}
	for _, tt := range tests {
		got := run(t, runOptions{}, tt.args...)
		if got.code != 0 || got.stdout != tt.want {
			t.Errorf("rectify %s:\n%s\nwant stdout %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
}

// TestValidateColour checks that diagnostics are coloured on a terminal
// only, and wrapped to its width.
func TestValidateColour(t *testing.T) {
	args := []string{"validate", "-inventory", "inventory/testdata/errors/hosts.hcl", "internal/cli/testdata/empty"}
	plain := run(t, runOptions{}, args...)
	if strings.Contains(plain.stderr, "\x1b[") {
		t.Errorf("escape codes in output to a pipe:\n%s", plain.stderr)
	}
	tty := run(t, runOptions{terminal: true, width: 40}, args...)
	if !strings.Contains(tty.stderr, "\x1b[") {
		t.Errorf("no colour on a terminal:\n%s", tty.stderr)
	}
	if tty.code != 1 || plain.code != 1 {
		t.Errorf("exit codes %d, %d; want 1", tty.code, plain.code)
	}
}
