package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// pkg is what go list says of one package.
type pkg struct {
	ImportPath string
	Imports    []string
}

// listModule lists the module's packages with their imports (tests'
// imports left out: a test may import anything).
func listModule(t *testing.T) []pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testenv.GoTool(t), "list", "-e", "-json=ImportPath,Imports,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			pkg
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p.pkg)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// TestTableOrder: a layer may import only layers below it in the table,
// so the table itself cannot allow an import upwards.
func TestTableOrder(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range Layers {
		if seen[l.Name] {
			t.Errorf("layer %q is listed twice", l.Name)
		}
		for _, m := range l.May {
			if !seen[m] {
				t.Errorf("layer %q may import %q, which is not below it", l.Name, m)
			}
		}
		seen[l.Name] = true
	}
}

// TestNoImportUpwards is the layering check: every package of the module
// belongs to a layer of the table, and imports only what its layer may.
func TestNoImportUpwards(t *testing.T) {
	var problems []string
	for _, p := range listModule(t) {
		name, ok := relative(p.ImportPath)
		if !ok {
			continue
		}
		from, ok := LayerOf(name)
		if !ok {
			problems = append(problems, name+" belongs to no layer: add it to the table in internal/layers/rules.go and docs/architecture.md")
			continue
		}
		for _, imp := range p.Imports {
			target, ok := relative(imp)
			if !ok {
				continue
			}
			to, ok := LayerOf(target)
			if !ok {
				continue // said once for the package itself
			}
			if !Allowed(from, to) {
				problems = append(problems, name+" ("+from.Name+") imports "+target+" ("+to.Name+")")
			}
		}
	}
	slices.Sort(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCheckCatches breaks the rules on purpose: the check must see an
// import upwards, one within a layer that forbids it, and a package of no
// layer.
func TestCheckCatches(t *testing.T) {
	layer := func(pkg string) Layer {
		l, ok := LayerOf(pkg)
		if !ok {
			t.Fatalf("%s has no layer", pkg)
		}
		return l
	}
	for _, bad := range [][2]string{
		{"engine", "operation"},
		{"drift", "internal/journal"},
		{"drift", "internal/metrics"},
		{"plans", "actions"},
		{"internal/winrm", "internal/lang"},
		{"internal/winrm", "engine"},
		{"internal/lab/wsman", "engine"},
		{"engine", "internal/lab"},
		{"operation", "internal/lab/directory"},
		{"internal/journal", "internal/views"},
		{"actions/ad", "actions/windows"},
		{"playbooks", "inventory"},
		{"internal/cli", "internal/actiontest"},
	} {
		if Allowed(layer(bad[0]), layer(bad[1])) {
			t.Errorf("%s may import %s", bad[0], bad[1])
		}
	}
	for _, good := range [][2]string{
		{"operation", "drift"},
		{"operation", "engine"},
		{"drift", "engine"},
		{"internal/journal", "operation"},
		{"internal/cli", "internal/lab"},
		{"internal/lab", "internal/lab/wsman"},
		{"internal/winrm", "ops"},
	} {
		if !Allowed(layer(good[0]), layer(good[1])) {
			t.Errorf("%s may not import %s", good[0], good[1])
		}
	}
	if _, ok := LayerOf("internal/newthing"); ok {
		t.Error("a package missing from the table has a layer")
	}
}

// relative returns path relative to the module, and whether it is the
// module's.
func relative(path string) (string, bool) {
	if path == Module {
		return ".", true
	}
	return strings.CutPrefix(path, Module+"/")
}
