package playbooks

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestRenderedDiagnostics compares the rendered diagnostics of every error
// fixture with testdata/golden/<fixture>.txt; go test -update rewrites them.
func TestRenderedDiagnostics(t *testing.T) {
	for _, path := range invalidFixtures(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".hcl")
		t.Run(name, func(t *testing.T) {
			r, diags := Load(path, testactions.Registry(), EvalInput{Hosts: testHosts(), Groups: testGroups})
			got := render(t, r.Playbook, r, diags)
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("rendered diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
