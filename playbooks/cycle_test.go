package playbooks

import (
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// TestCycleNamesWholeCycle checks the cycle diagnostic independently of
// the golden files: the whole cycle, through depends_on, triggered_by and
// a reference, in one diagnostic, and nothing that merely depends on it.
func TestCycleNamesWholeCycle(t *testing.T) {
	p, diags := LoadDir("testdata/invalid/cycle.hcl", testactions.Registry())
	var details []string
	for _, d := range diags {
		if d.Summary == "Cycle in step dependencies" {
			details = append(details, d.Detail)
			if d.Subject == nil || d.Subject.Start.Line != 5 || d.Subject.Start.Column != 17 {
				t.Errorf("subject %v, want the reference step.b on line 5", d.Subject)
			}
		}
	}
	if len(details) != 1 {
		t.Fatalf("want one cycle diagnostic, got %d: %q", len(details), details)
	}
	if !strings.Contains(details[0], "step.a -> step.b -> step.c -> step.a.") {
		t.Errorf("detail %q does not name the whole cycle", details[0])
	}
	if strings.Contains(details[0], "step.d") {
		t.Errorf("detail %q names step.d, which only depends on the cycle", details[0])
	}
	// The order still lists every step, the cycle in source order last.
	if got := strings.Join(p.Order(), ","); got != "a,b,c,d" {
		t.Errorf("order %s", got)
	}
}
