package lab

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readmeScenarioSection is README's part on scenario files.
func readmeScenarioSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "## Rehearsing on your own organisation")
	if start < 0 {
		t.Fatal("README has no section on scenario files")
	}
	rest := text[start+3:]
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// hclNames lists the attribute and block names a decoding struct takes,
// descending into its blocks.
func hclNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, kind, _ := strings.Cut(f.Tag.Get("hcl"), ",")
		if name == "" || kind == "label" || strings.HasPrefix(kind, "def_range") {
			continue
		}
		out = append(out, name)
		if kind == "block" {
			out = append(out, hclNames(f.Type)...)
		}
	}
	return out
}

// TestReadmeDocumentsTheScenarioFormat keeps README's description of
// scenario files true: it names every block and attribute the loader
// takes, and its worked example is the shipped scenario it says it is.
func TestReadmeDocumentsTheScenarioFormat(t *testing.T) {
	section := readmeScenarioSection(t)
	for _, name := range hclNames(reflect.TypeOf(scenarioFile{})) {
		if !regexp.MustCompile("`" + regexp.QuoteMeta(name) + "[` ]").MatchString(section) {
			t.Errorf("README's scenario section does not document %q", name)
		}
	}
	blocks := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 1 {
		t.Fatalf("README's scenario section has %d HCL examples, want 1", len(blocks))
	}
	example, diags := ParseScenario([]byte(blocks[0][1]), "README.md")
	if diags.HasErrors() {
		t.Fatalf("README's example: %s", diags.Error())
	}
	shipped, diags := LoadScenario("testdata/scenarios/" + example.Name + ".hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(shipped, example, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("README's example differs from the shipped %s.hcl (-shipped +README):\n%s", example.Name, diff)
	}
}
