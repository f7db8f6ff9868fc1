package playbooks_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/playbooks"
)

// TestValidFixturesWithBuiltinActions checks that the valid fixtures are
// valid for the built-in actions too, as rectify validate sees them: the
// test actions' schemas may drift from the real ones, the fixtures may not.
func TestValidFixturesWithBuiltinActions(t *testing.T) {
	hosts := []actions.Host{
		{Name: "dc01", FQDN: "dc01.corp.example.com", Site: "HQ", Groups: []string{"dc"}},
		{Name: "ex01", FQDN: "ex01.corp.example.com", Site: "HQ", Groups: []string{"exchange"}},
		{Name: "ex02", FQDN: "ex02.corp.example.com", Site: "Branch", Groups: []string{"exchange"}},
	}
	dirs, err := os.ReadDir("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			r, diags := playbooks.Load(filepath.Join("testdata/valid", d.Name()), builtin.Registry(), playbooks.EvalInput{Hosts: hosts})
			if len(diags) > 0 {
				t.Errorf("diagnostics: %s", diags.Error())
			}
			if len(r.Steps) == 0 {
				t.Errorf("no steps resolved")
			}
		})
	}
}
