package playbooks

import (
	"os"
	"path/filepath"
	"testing"
)

func TestValidFixtures(t *testing.T) {
	dirs, err := os.ReadDir("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		path := filepath.Join("testdata/valid", d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			for _, in := range []EvalInput{{Hosts: testHosts(), Groups: testGroups}, {}} {
				p, r, diags := loadAndEvaluate(t, path, in)
				if len(diags) > 0 {
					t.Errorf("inventory=%v: unexpected diagnostics:\n%s", in.Hosts != nil, render(t, p, r, diags))
				}
			}
		})
	}
}
