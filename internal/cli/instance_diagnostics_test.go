package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// TestFailedChangePointsAtItsStep: a change that fails while applying is
// reported as a load error is: the file and line of its step, with the
// step's header as the snippet, and the error.
func TestFailedChangePointsAtItsStep(t *testing.T) {
	f := startLab(t, lab.KB979174())
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "fix.plan", "exchange-454"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	// ex02 answers every request with a server error from now on.
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{ServerError: true}); err != nil {
		t.Fatal(err)
	}
	got := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "fix.plan")
	// ex01's changes were made before ex02's failed: exit 3.
	if got.code != exitFailed {
		t.Fatalf("apply with ex02 failing: %s", got)
	}
	header := `step "windows.registry_value" "kerberos_log" {`
	line := lineOf(t, filepath.Join(f.playbook, "playbook.hcl"), header)
	for _, want := range []string{
		"Error: step.kerberos_log[ex02] failed",
		fmt.Sprintf("on exchange-454/playbook.hcl line %d:", line),
		fmt.Sprintf("%d: %s", line, header),
		"http 500",
	} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
		}
	}
}

// lineOf returns the number of the line of file that starts with prefix.
func lineOf(t *testing.T, file, prefix string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line %q", file, prefix)
	return 0
}
