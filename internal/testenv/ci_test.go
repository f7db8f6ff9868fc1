package testenv

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, relative to this package.
const repoRoot = "../.."

// ciPackages reads the package names of .ci/packages.
func ciPackages(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, ".ci", "packages"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkgs := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if fields := strings.Fields(line); len(fields) > 0 {
			pkgs[fields[0]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// declaring calls are the testenv functions that name a Debian package,
// which is their last argument.
var declaring = map[string]bool{"Find": true, "LookPath": true, "FindFile": true, "FindPythonModule": true, "PythonModule": true}

// use is one program, file or module a test declares or runs.
type use struct {
	pos   token.Position
	value string
}

// testCode reports whether a Go file is test code: a _test.go file, or
// one of a test-support package (sambatest, ldaptest, actiontest...).
// This package's own calls are its implementation, not uses.
func testCode(path string) bool {
	dir := filepath.Base(filepath.Dir(path))
	if dir == "testenv" {
		return false
	}
	return strings.HasSuffix(path, "_test.go") || strings.HasSuffix(dir, "test")
}

// scan collects from the test code under root (bench/run checks the
// benchmarks' own needs) the Debian packages declared through testenv,
// the names and paths declared with them, and the programs run by
// literal name with os/exec.
func scan(t *testing.T, root string) (packages, declared, run []use, problems []string) {
	t.Helper()
	fset := token.NewFileSet()
	constsOf := map[string]map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git", "bench":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || !testCode(path) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		consts, ok := constsOf[filepath.Dir(path)]
		if !ok {
			consts = stringConsts(filepath.Dir(path), fset)
			constsOf[filepath.Dir(path)] = consts
		}
		value := func(e ast.Expr) (string, bool) {
			switch e := e.(type) {
			case *ast.BasicLit:
				if e.Kind == token.STRING {
					s, err := strconv.Unquote(e.Value)
					return s, err == nil
				}
			case *ast.Ident:
				s, ok := consts[e.Name]
				return s, ok
			}
			return "", false
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			pos := fset.Position(call.Pos())
			switch {
			case x.Name == "testenv" && declaring[sel.Sel.Name]:
				last := call.Args[len(call.Args)-1]
				pkg, ok := value(last)
				if !ok {
					problems = append(problems, pos.String()+": testenv."+sel.Sel.Name+" must name its Debian package with a literal or constant, so that this test can check .ci/packages")
					return true
				}
				packages = append(packages, use{pos, pkg})
				for _, a := range call.Args[:len(call.Args)-1] {
					if v, ok := value(a); ok {
						declared = append(declared, use{pos, v})
					}
				}
			case x.Name == "exec" && (sel.Sel.Name == "Command" || sel.Sel.Name == "LookPath") && len(call.Args) > 0:
				if v, ok := value(call.Args[0]); ok {
					run = append(run, use{pos, v})
				}
			case x.Name == "exec" && sel.Sel.Name == "CommandContext" && len(call.Args) > 1:
				if v, ok := value(call.Args[1]); ok {
					run = append(run, use{pos, v})
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return packages, declared, run, problems
}

// stringConsts returns the string constants declared at the top level of
// the package in dir (tests included), by name.
func stringConsts(dir string, fset *token.FileSet) map[string]string {
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			continue
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							out[id.Name] = s
						}
					}
				}
			}
		}
	}
	return out
}

// TestCIPackagesCoverTests fails when a test needs a Debian package that
// CI does not install, or runs a program by name without declaring its
// package through testenv: on a fresh CI machine that test would fail
// (or, before testenv, skip) for want of it.
func TestCIPackagesCoverTests(t *testing.T) {
	listed := ciPackages(t)
	packages, declared, run, problems := scan(t, repoRoot)
	for _, p := range problems {
		t.Error(p)
	}
	if len(packages) == 0 {
		t.Fatal("no test declares a package through testenv: the scan is broken")
	}
	for _, u := range packages {
		if !listed[u.value] {
			t.Errorf("%s: the tests need the Debian package %s, which .ci/packages does not list", u.pos, u.value)
		}
	}
	known := map[string]bool{}
	for _, u := range declared {
		known[u.value] = true
	}
	for _, u := range run {
		if !known[u.value] {
			t.Errorf("%s: runs %q without declaring its Debian package through testenv (Find, LookPath, FindPythonModule)", u.pos, u.value)
		}
	}
	var names []string
	for _, u := range packages {
		names = append(names, u.value)
	}
	sort.Strings(names)
	t.Logf("packages the tests declare: %s", strings.Join(compact(names), " "))
}

// TestCIRunInstallsThePackageList keeps .ci/run installing .ci/packages,
// not a list of its own.
func TestCIRunInstallsThePackageList(t *testing.T) {
	run, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(run), ".ci/packages") {
		t.Error(".ci/run does not install from .ci/packages")
	}
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
