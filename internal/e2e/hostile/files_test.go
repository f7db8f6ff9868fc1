package hostile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
)

// registryPlaybook sets a registry value on the Exchange servers to what
// valueExpr evaluates to (HCL source, such as file("x")).
func registryPlaybook(valueExpr string) []byte {
	return []byte(`playbook "files" {
  title = "A registry value from a file"
}

step "windows.registry_value" "from_file" {
  targets = group.exchange
  path    = "HKLM:\\SOFTWARE\\Rectify"
  name    = "FromFile"
  type    = "string"
  value   = ` + valueExpr + `
}
`)
}

// TestFilesOutsideThePlaybookAndLoops refuses file() paths that leave the
// playbook's directory (by "..", an absolute path or a symbolic link),
// symbolic link loops in file() and among the playbook's own files: each
// by validate, plan and apply with exit 1 and the reason, and nothing
// reaches the lab or the journal.
func TestFilesOutsideThePlaybookAndLoops(t *testing.T) {
	f := start(t, lab.KB979174())
	f.write(t, "secret.txt", []byte("outside the playbook\n"))
	abs := filepath.Join(f.dir, "secret.txt")
	for _, tc := range []struct {
		name  string
		setup func(pb string)
		want  string
	}{
		{"dot-dot", func(pb string) { f.write(t, pb+"/playbook.hcl", registryPlaybook(`file("../secret.txt")`)) }, "is outside the directory"},
		{"absolute", func(pb string) {
			f.write(t, pb+"/playbook.hcl", registryPlaybook(`file("`+strings.ReplaceAll(abs, `\`, `\\`)+`")`))
		}, "is outside the directory"},
		{"symlink out", func(pb string) {
			f.write(t, pb+"/playbook.hcl", registryPlaybook(`file("inside.txt")`))
			symlink(t, abs, filepath.Join(f.dir, pb, "inside.txt"))
		}, "is outside the directory"},
		{"symlink loop in file()", func(pb string) {
			f.write(t, pb+"/playbook.hcl", registryPlaybook(`file("loop.txt")`))
			symlink(t, "loop.txt", filepath.Join(f.dir, pb, "loop.txt"))
		}, `cannot resolve "loop.txt": EvalSymlinks: too many links`},
		{"symlink loop between files", func(pb string) {
			f.write(t, pb+"/playbook.hcl", registryPlaybook(`file("a.txt")`))
			symlink(t, "b.txt", filepath.Join(f.dir, pb, "a.txt"))
			symlink(t, "a.txt", filepath.Join(f.dir, pb, "b.txt"))
		}, `cannot resolve "a.txt"`},
		{"symlink loop as a playbook file", func(pb string) {
			f.write(t, pb+"/playbook.hcl", registryPlaybook(`"1"`))
			symlink(t, "loop.hcl", filepath.Join(f.dir, pb, "loop.hcl"))
		}, "too many levels of symbolic links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pb := "pb-" + strings.ReplaceAll(tc.name, " ", "-")
			tc.setup(pb)
			state := pb + ".db"
			for _, cmd := range [][]string{
				{"validate", "-inventory", "inventory.hcl", pb},
				{"plan", "-inventory", "inventory.hcl", "-state", state, "-out", pb + ".plan", pb},
				{"apply", "-inventory", "inventory.hcl", "-state", state, "-auto-approve", pb},
			} {
				got := f.rectify(t, cmd...)
				if got.code != 1 || !strings.Contains(got.stderr, tc.want) {
					t.Errorf("%s: want exit 1 and %q: %s", cmd[0], tc.want, got)
				}
				if strings.Contains(got.stdout+got.stderr, "outside the playbook\n") {
					t.Errorf("%s printed the outside file's content", cmd[0])
				}
			}
			if _, err := os.Stat(filepath.Join(f.dir, pb+".plan")); !os.IsNotExist(err) {
				t.Errorf("a plan was saved: %v", err)
			}
			f.receivedNothing(t)
			if runs := f.runs(t, state); len(runs) != 0 {
				t.Errorf("the journal holds runs: %+v", runs)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
