package hostile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/plans"
)

// TestTamperedAndNewerPlanFiles saves a plan, then edits one byte of its
// content (the digest no longer matches) or raises its format version:
// show and apply refuse each with exit 1 and the reason, before any host
// is contacted, and the registry value the plan would set is not set.
func TestTamperedAndNewerPlanFiles(t *testing.T) {
	f := start(t, lab.KB979174())
	f.write(t, "pb/playbook.hcl", registryPlaybook(`"1"`))
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "good.plan", "pb"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	good, err := os.ReadFile(filepath.Join(f.dir, "good.plan"))
	if err != nil {
		t.Fatal(err)
	}
	// What the plan read; a refused plan must add nothing to it.
	planned := map[string]int{}
	for h, recs := range f.received() {
		planned[h] = len(recs)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"tampered", `"FromFile"`, `"FromFilf"`, "does not match its digest"},
		{"newer format", fmt.Sprintf(`"format_version": %d`, plans.FormatVersion), fmt.Sprintf(`"format_version": %d`, plans.FormatVersion+1), "newer than this rectify reads"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(good), tc.old) {
				t.Fatalf("the plan file has no %s:\n%s", tc.old, clip(string(good)))
			}
			name := strings.ReplaceAll(tc.name, " ", "-") + ".plan"
			f.write(t, name, []byte(strings.Replace(string(good), tc.old, tc.new, 1)))
			state := strings.ReplaceAll(tc.name, " ", "-") + ".db"
			for _, cmd := range [][]string{
				{"show", name},
				{"apply", "-state", state, "-auto-approve", name},
			} {
				got := f.rectify(t, cmd...)
				if got.code != 1 || !strings.Contains(got.stderr, tc.want) {
					t.Errorf("%s: want exit 1 and %q: %s", cmd[0], tc.want, got)
				}
			}
			for h, recs := range f.received() {
				for _, r := range recs[planned[h]:] {
					t.Errorf("%s received %s for a refused plan", h, r.Op)
				}
			}
			for _, h := range f.lab.Exchange() {
				host, _ := f.lab.Host(h)
				if _, _, exists := host.RegistryValue(`HKLM:\SOFTWARE\Rectify`, "FromFile"); exists {
					t.Errorf("%s: the refused plan's value was set", h)
				}
			}
			if runs := f.runs(t, state); len(runs) != 0 {
				t.Errorf("the journal holds runs of a plan file that could not be read: %+v", runs)
			}
		})
	}
}
