package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// TestValidateGolden runs validate over the playbook and inventory
// fixtures and compares everything it printed with golden files
// (go test -update rewrites them).
func TestValidateGolden(t *testing.T) {
	const (
		inventory = "inventory/testdata/valid/corp.hcl"
		exchange  = "playbooks/testdata/valid/exchange-454"
	)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{name: "exchange-454", args: []string{"validate", exchange}, wantCode: 0},
		{name: "exchange-454-inventory", args: []string{"validate", "-inventory", inventory, exchange}, wantCode: 0},
		{name: "single-file-inventory", args: []string{"validate", "--inventory", inventory, "playbooks/testdata/valid/single-file/playbook.hcl"}, wantCode: 0},
		{name: "expressions-inventory", args: []string{"validate", "-inventory=" + inventory, "playbooks/testdata/valid/expressions"}, wantCode: 0},
		{name: "flags-after-playbook", args: []string{"validate", exchange, "-inventory", inventory}, wantCode: 0},
		{name: "empty-selection", args: []string{"validate", "-inventory", "internal/cli/testdata/no-dc.hcl", exchange}, wantCode: 1},
		{name: "unknown-group", args: []string{"validate", "-inventory", inventory, "playbooks/testdata/invalid/unknown_group.hcl"}, wantCode: 1},
		{name: "multi", args: []string{"validate", "playbooks/testdata/invalid/multi"}, wantCode: 1},
		{name: "cycle", args: []string{"validate", "playbooks/testdata/invalid/cycle.hcl"}, wantCode: 1},
		{name: "inventory-errors", args: []string{"validate", "-inventory", "inventory/testdata/errors/hosts.hcl", exchange}, wantCode: 1},
		{name: "inventory-warnings", args: []string{"validate", "-inventory", "inventory/testdata/warnings.hcl", "internal/cli/testdata/empty"}, wantCode: 0},
		{name: "missing-playbook", args: []string{"validate", "no/such/playbook"}, wantCode: 1},
		{name: "missing-inventory", args: []string{"validate", "-inventory", "no/such/inventory.hcl", exchange}, wantCode: 1},
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
			args: []string{"validate", "-inventory", "inventory/testdata/valid/corp.hcl", "playbooks/testdata/valid/exchange-454"},
			want: "Playbook exchange-454 is valid: 6 steps, 3 target groups, 4 hosts.\n",
		},
		{
			args: []string{"validate", "playbooks/testdata/valid/exchange-454"},
			// Without an inventory, target groups are told apart by their
			// expressions: group.exchange, group.dc, the for expression
			// and host.ex01.
			want: "Playbook exchange-454 is valid: 6 steps, 4 target groups.\n",
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
	args := []string{"validate", "playbooks/testdata/invalid/multi"}
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
