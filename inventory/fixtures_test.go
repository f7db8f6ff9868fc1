package inventory

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// markerPattern finds the "# ERROR: <summary>" and "# WARNING: <summary>"
// markers that fixtures carry on the line a diagnostic must point at.
var markerPattern = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

// TestErrorFixtures loads every fixture under testdata/errors and compares
// the diagnostics (line, severity, summary) with the fixture's markers: each
// problem must be reported, in one pass, on the line that causes it.
func TestErrorFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := markers(t, path)
			if len(want) == 0 {
				t.Fatalf("%s has no ERROR marker", path)
			}
			inv, diags := Load(path, lookupTestEnv)
			if inv != nil {
				t.Errorf("Load returned an inventory despite errors")
			}
			got := describe(diags)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics mismatch (-markers +got):\n%s\nall diagnostics:\n%s", diff, diags.Error())
			}
		})
	}
}

func markers(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if m := markerPattern.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, fmt.Sprintf("%d: %s: %s", line, m[1], m[2]))
		}
	}
	sort.Strings(out)
	return out
}

func describe(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		sev := "ERROR"
		if d.Severity == hcl.DiagWarning {
			sev = "WARNING"
		}
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		out = append(out, fmt.Sprintf("%d: %s: %s", line, sev, d.Summary))
	}
	sort.Strings(out)
	return out
}
