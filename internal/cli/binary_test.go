package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// TestBinaryExitCodes builds the real rectify binary and checks the exit
// codes and streams a shell would see.
func TestBinaryExitCodes(t *testing.T) {
	goTool := testenv.GoTool(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "rectify")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	// -buildvcs=auto stamps the commit into a binary built from a clone,
	// whatever GOFLAGS a machine sets.
	build := exec.Command(goTool, "build", "-buildvcs=auto", "-o", bin, "./cmd/rectify")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "version", args: []string{"version"}, wantCode: 0, wantStdout: "rectify "},
		{name: "help", args: []string{"help"}, wantCode: 0, wantStdout: "Usage: rectify"},
		{name: "no command", args: nil, wantCode: 2, wantStderr: "Usage: rectify"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: `unknown command "frobnicate"`},
		{name: "valid", args: []string{"validate", "internal/cli/testdata/empty"}, wantCode: 0,
			wantStdout: "Playbook empty is valid: 0 steps, 0 target groups.\n"},
		{name: "command flag before the command", args: []string{"--inventory", "inventory/testdata/valid/corp.hcl", "validate", "internal/cli/testdata/empty"},
			wantCode: 2, wantStderr: "flag provided but not defined: -inventory"},
		{name: "valid with inventory after command", args: []string{"validate", "--inventory", "inventory/testdata/valid/corp.hcl", "internal/cli/testdata/empty"},
			wantCode: 0, wantStdout: "Playbook empty is valid: 0 steps, 0 target groups, 0 hosts.\n"},
		{name: "invalid", args: []string{"validate", "playbooks/testdata/invalid/multi"}, wantCode: 1,
			wantStderr: "on playbooks/testdata/invalid/multi/steps.hcl line 1:"},
		// The binary registers the built-in actions, so the example is valid
		// against its own schemas.
		{name: "built-in actions", args: []string{"validate", "examples/exchange-454"}, wantCode: 0,
			wantStdout: "Playbook exchange-454 is valid: 11 steps, 2 target groups.\n"},
		{name: "usage error", args: []string{"validate"}, wantCode: 2, wantStderr: "expected one PLAYBOOK argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Dir = root
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "RECTIFY_WINRM_USER=u", "RECTIFY_WINRM_PASSWORD=" + testSecret,
				"RECTIFY_LAB_PASSWORD=" + testSecret, "RECTIFY_DC02_PASSWORD=" + testSecret}
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
			if strings.Contains(stdout.String()+stderr.String(), testSecret) {
				t.Errorf("the output contains the secret")
			}
		})
	}

	// rectify version names the commit Go stamped into the binary, if any
	// (a clone's; a git worktree or a tarball gives none).
	meta, err := exec.Command(goTool, "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "\nrevision unknown: built without VCS information\n"
	for _, line := range strings.Split(string(meta), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision=") {
			want = "\nrevision " + strings.TrimPrefix(f[1], "vcs.revision=")[:12]
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), want) {
		t.Errorf("rectify version:\n%s\nlacks %q (go version -m:\n%s)", out, want, meta)
	}
}
