package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	messyInventory = "winrm {\nhttps=true\n  port = 5986\n}\n\nhost \"ex01\" {\nfqdn = \"ex01.corp.example.com\"\n    groups=[\"exchange\"]\n}\n"
	tidyInventory  = "winrm {\n  https = true\n  port  = 5986\n}\n\nhost \"ex01\" {\n  fqdn   = \"ex01.corp.example.com\"\n  groups = [\"exchange\"]\n}\n"
	messyPlaybook  = "playbook \"p\" {\ntitle=\"t\"\n}\n"
	tidyPlaybook   = "playbook \"p\" {\n  title = \"t\"\n}\n"
)

// fmtRun runs rectify fmt in dir with stdin.
func fmtRun(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{"fmt"}, args...), Env{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(stdin),
		Getwd:      func() (string, error) { return dir, nil },
		IsTerminal: func(io.Writer) bool { return false },
	})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

func readFiles(t *testing.T, dir string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = string(b)
	}
	return out
}

func TestFmtCheckThenWrite(t *testing.T) {
	dir := t.TempDir()
	start := map[string]string{
		"inventory.hcl":       messyInventory,
		"tidy.hcl":            tidyPlaybook,
		"playbook/steps.hcl":  messyPlaybook,
		"playbook/notes.txt":  "not = HCL {",
		".hidden/ignored.hcl": messyPlaybook,
	}
	writeFiles(t, dir, start)
	names := []string{"inventory.hcl", "tidy.hcl", "playbook/steps.hcl", "playbook/notes.txt", ".hidden/ignored.hcl"}

	// -check names what is not canonical, exits 1 and writes nothing; a
	// directory without -recursive is only its own files.
	got := fmtRun(t, dir, "", "-check")
	if got.code != exitError || got.stdout != "inventory.hcl\n" {
		t.Errorf("fmt -check: %s", got)
	}
	got = fmtRun(t, dir, "", "-check", "-recursive")
	if got.code != exitError || got.stdout != "inventory.hcl\nplaybook/steps.hcl\n" {
		t.Errorf("fmt -check -recursive: %s", got)
	}
	if diff := cmp.Diff(start, readFiles(t, dir, names...)); diff != "" {
		t.Errorf("fmt -check changed files (-before +after):\n%s", diff)
	}
	got = fmtRun(t, dir, "", "-check", "-diff", "inventory.hcl")
	for _, want := range []string{"--- inventory.hcl\n", "-https=true\n", "+  https = true\n", "+  port  = 5986\n"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("fmt -diff lacks %q:\n%s", want, got.stdout)
		}
	}

	// fmt rewrites them, keeping their mode, and a second check passes.
	got = fmtRun(t, dir, "", "-recursive", ".")
	if got.code != exitOK || got.stdout != "inventory.hcl\nplaybook/steps.hcl\n" {
		t.Errorf("fmt -recursive: %s", got)
	}
	want := map[string]string{"inventory.hcl": tidyInventory, "tidy.hcl": tidyPlaybook, "playbook/steps.hcl": tidyPlaybook,
		"playbook/notes.txt": "not = HCL {", ".hidden/ignored.hcl": messyPlaybook}
	if diff := cmp.Diff(want, readFiles(t, dir, names...)); diff != "" {
		t.Errorf("after fmt (-want +got):\n%s", diff)
	}
	if st, err := os.Stat(filepath.Join(dir, "inventory.hcl")); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("the rewritten file's mode: %v %v", st.Mode(), err)
	}
	if got := fmtRun(t, dir, "", "-check", "-recursive"); got.code != exitOK || got.stdout != "" {
		t.Errorf("fmt -check after fmt: %s", got)
	}
}

func TestFmtLeavesBrokenFilesAlone(t *testing.T) {
	dir := t.TempDir()
	broken := "host \"ex01\" {\nfqdn = \"ex01.corp.example.com\"\n"
	writeFiles(t, dir, map[string]string{"broken.hcl": broken, "messy.hcl": messyInventory})
	got := fmtRun(t, dir, "")
	if got.code != exitError || !strings.Contains(got.stderr, "Unclosed configuration block") || !strings.Contains(got.stderr, "on broken.hcl line 1") {
		t.Errorf("fmt with a broken file: %s", got)
	}
	files := readFiles(t, dir, "broken.hcl", "messy.hcl")
	if files["broken.hcl"] != broken || files["messy.hcl"] != tidyInventory {
		t.Errorf("the broken file must stay, the other be formatted: %q", files)
	}
}

func TestFmtStdinAndErrors(t *testing.T) {
	dir := t.TempDir()
	if got := fmtRun(t, dir, messyInventory, "-"); got.code != exitOK || got.stdout != tidyInventory {
		t.Errorf("fmt -: %s", got)
	}
	if got := fmtRun(t, dir, messyInventory, "-check", "-"); got.code != exitError || got.stdout != "" {
		t.Errorf("fmt -check - on a messy input: %s", got)
	}
	if got := fmtRun(t, dir, "", "no/such/dir"); got.code != exitError || !strings.Contains(got.stderr, "rectify fmt: no/such/dir: no such file or directory") {
		t.Errorf("fmt of a missing path: %s", got)
	}
}

// TestExamplesAreFormatted keeps the examples and fixtures users copy in
// the canonical layout.
func TestExamplesAreFormatted(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmtRun(t, root, "", "-check", "-recursive", "examples", "internal/lab/testdata/scenarios", "inventory/testdata/valid"); got.code != exitOK {
		t.Errorf("rectify fmt -check -recursive: %s", got)
	}
}
