package ops

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// pscheckScript is the syntax checker's entry point, relative to this
// package's directory.
const pscheckScript = "../tools/pscheck/pscheck.mjs"

// runPscheck runs the checker with node on the given paths and returns its
// standard output and exit code. On a developer machine without node or the
// checker's npm packages it skips the test; under CI it fails.
func runPscheck(t *testing.T, paths ...string) (string, int) {
	t.Helper()
	node := testenv.LookPath(t, "node", "nodejs")
	modules := filepath.Join(filepath.Dir(pscheckScript), "node_modules", "web-tree-sitter")
	if _, err := os.Stat(modules); err != nil {
		testenv.Unavailable(t, "tree-sitter-powershell", "tools/pscheck/node_modules is missing; run npm ci --prefix tools/pscheck")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, append([]string{pscheckScript}, paths...)...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run pscheck: %v", err)
	}
	if code == 2 {
		t.Fatalf("pscheck could not run: %s%s", stdout.String(), stderr.String())
	}
	return stdout.String(), code
}

// TestPscheckEmbeddedScripts parses every op's script as the library
// assembles it with its helpers, the text a Shell sends, and fails on any
// syntax error. CI's pscheck run over the repository checks the source
// files, helpers included, one by one.
func TestPscheckEmbeddedScripts(t *testing.T) {
	dir := t.TempDir()
	ops := Ops()
	if len(ops) == 0 {
		t.Fatal("the library holds no scripts")
	}
	var paths []string
	for _, op := range ops {
		p := filepath.Join(dir, op+".ps1")
		if err := os.WriteFile(p, []byte(MustScript(op).Text), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, code := runPscheck(t, paths...)
	if code != 0 {
		t.Fatalf("pscheck found syntax errors in embedded scripts (exit %d):\n%s", code, out)
	}
}

// errorLine matches one reported problem: file:line:col: text.
var errorLine = regexp.MustCompile(`(?m)^(.+\.ps1):(\d+):(\d+): `)

// TestPscheckReportsBrokenFixture proves the checker fails on a script
// with a syntax error and names the file and position.
func TestPscheckReportsBrokenFixture(t *testing.T) {
	fixture := filepath.Join("testdata", "pscheck", "broken.ps1")
	out, code := runPscheck(t, fixture)
	if code != 1 {
		t.Fatalf("pscheck exit code %d for a broken script, want 1:\n%s", code, out)
	}
	m := errorLine.FindStringSubmatch(out)
	if m == nil || m[1] != fixture {
		t.Fatalf("pscheck did not report a position in %s:\n%s", fixture, out)
	}
	// The fixture carries a marker so that, were it embedded, the library
	// would hold its op.
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	op, _, ok := ParseMarker(string(b))
	if !ok {
		t.Fatalf("%s has no marker line", fixture)
	}
	if _, err := Lookup(op); err == nil {
		t.Errorf("the broken fixture's op %q is embedded in the library", op)
	}
}

// TestPscheckFlagsCommonMistakes feeds typical slips one by one, next to a
// clean script, and expects exactly the broken ones to be reported.
func TestPscheckFlagsCommonMistakes(t *testing.T) {
	broken := map[string]string{
		"unclosed_brace.ps1":    "function f {\n    Write-Output 1\n",
		"unclosed_if.ps1":       "if (\n",
		"if_missing_paren.ps1":  "if ($x {\n    1\n}\n",
		"unclosed_string.ps1":   "$s = \"text\n",
		"unclosed_array.ps1":    "$a = @(1, 2\n",
		"dangling_operator.ps1": "$x = 1 +\n",
		"stray_brace.ps1":       "$x = 1\n}\n",
		"hashtable_value.ps1":   "$h = @{ a = 1; b = }\n",
		"unclosed_herestr.ps1":  "$x = @'\ntext\n",
	}
	clean := "param([Parameter(Mandatory=$true)][string]$ArgsBase64)\n" +
		"$a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgsBase64)) | ConvertFrom-Json\n" +
		"$out = @(foreach ($i in @($a.items)) { [pscustomobject]@{ id = $i.id } })\n" +
		"ConvertTo-Json -Compress -Depth 6 -InputObject @{ results = $out }\n"
	dir := t.TempDir()
	paths := []string{filepath.Join(dir, "clean.ps1")}
	if err := os.WriteFile(paths[0], []byte(clean), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, text := range broken {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, code := runPscheck(t, paths...)
	if code != 1 {
		t.Fatalf("pscheck exit code %d, want 1:\n%s", code, out)
	}
	reported := map[string]bool{}
	for _, m := range errorLine.FindAllStringSubmatch(out, -1) {
		reported[filepath.Base(m[1])] = true
	}
	for name := range broken {
		if !reported[name] {
			t.Errorf("pscheck did not flag %s:\n%s", name, out)
		}
	}
	if reported["clean.ps1"] {
		t.Errorf("pscheck flagged the clean script:\n%s", out)
	}
	if !strings.Contains(out, "files, ") {
		t.Errorf("pscheck printed no summary:\n%s", out)
	}
}

// TestPscheckWalksDirectories runs the checker as CI does, on a directory:
// it finds every source file, ops and helpers, and leaves fixtures under
// testdata alone.
func TestPscheckWalksDirectories(t *testing.T) {
	out, code := runPscheck(t, ".")
	if code != 0 {
		t.Fatalf("pscheck exit code %d on the package directory:\n%s", code, out)
	}
	want := fmt.Sprintf("pscheck: %d files, 0 with syntax errors", len(sourceFiles(t)))
	if !strings.Contains(out, want) {
		t.Errorf("pscheck output lacks %q:\n%s", want, out)
	}
}
