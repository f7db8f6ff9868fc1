package playbooks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// markerPattern finds "# ERROR: <summary>" and "# WARNING: <summary>" on a
// fixture line; a line may carry several.
var markerPattern = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([^#]*[^#\s])`)

// expectedDiagnostics reads the markers of the .hcl files under path.
func expectedDiagnostics(t *testing.T, path string) []string {
	t.Helper()
	files := []string{path}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.hcl"))
	}
	var out []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(src))
		for line := 1; sc.Scan(); line++ {
			for _, m := range markerPattern.FindAllStringSubmatch(sc.Text(), -1) {
				out = append(out, fmt.Sprintf("%s:%d: %s: %s", f, line, m[1], m[2]))
			}
		}
	}
	sort.Strings(out)
	return out
}

// gotDiagnostics formats diagnostics the way expectedDiagnostics does.
func gotDiagnostics(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		sev := "ERROR"
		if d.Severity == hcl.DiagWarning {
			sev = "WARNING"
		}
		where := "(no range)"
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d", d.Subject.Filename, d.Subject.Start.Line)
		}
		out = append(out, fmt.Sprintf("%s: %s: %s", where, sev, d.Summary))
	}
	sort.Strings(out)
	return out
}

// invalidFixtures lists the error fixtures: .hcl files and directories.
func invalidFixtures(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".hcl") {
			out = append(out, filepath.Join("testdata/invalid", e.Name()))
		}
	}
	return out
}

// TestInvalidFixtures checks that every fixture yields exactly the
// diagnostics its markers name, at the marked lines, in one run.
func TestInvalidFixtures(t *testing.T) {
	for _, path := range invalidFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := expectedDiagnostics(t, path)
			if len(want) == 0 {
				t.Fatalf("the fixture has no # ERROR: markers")
			}
			p, r, diags := loadAndEvaluate(t, path, EvalInput{Hosts: testHosts(), Groups: testGroups})
			if diff := cmp.Diff(want, gotDiagnostics(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nrendered:\n%s", diff, render(t, p, r, diags))
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic %q has no range", d.Summary)
				}
			}
		})
	}
}
