package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rectifyhq/rectify/internal/lab"
)

// schemaBase is the $id prefix of the published schemas in docs/schema.
const schemaBase = "https://github.com/rectifyhq/rectify/docs/schema/"

// schemas compiles every published schema of docs/schema, formats
// asserted, and returns them by file name.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob("../../docs/schema/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in docs/schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if id, _ := doc.(map[string]any)["$id"].(string); id != schemaBase+filepath.Base(f) {
			t.Fatalf("%s: $id %q, want %q", f, id, schemaBase+filepath.Base(f))
		}
		if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		s, err := c.Compile(schemaBase + filepath.Base(f))
		if err != nil {
			t.Fatalf("compile %s: %v", f, err)
		}
		out[filepath.Base(f)] = s
	}
	return out
}

// conforms checks that out, a command's JSON output, validates against
// the published schema.
func conforms(t *testing.T, s map[string]*jsonschema.Schema, schema, what, out string) {
	t.Helper()
	sch, ok := s[schema]
	if !ok {
		t.Fatalf("no published schema %s", schema)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, out)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("%s does not validate against docs/schema/%s:\n%v", what, schema, err)
	}
}

// TestJSONOutputsMatchTheirSchemas runs every command that prints JSON
// against the lab, its journal and the test fixtures, and validates what
// it printed against its published schema: plan -json, show -json, a
// saved plan file (docs/schema/plan-file.v3.json), history -json (the runs, one run, the drift) and
// validate -json.
func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	s := schemas(t)
	f := startLab(t, lab.KB979174())

	got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-json", "exchange-454")
	if got.code != 0 {
		t.Fatalf("plan -json: %s", got)
	}
	conforms(t, s, "plan.v3.json", "plan -json", got.stdout)

	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "fix.plan", "exchange-454"); got.code != 0 {
		t.Fatalf("plan -out: %s", got)
	}
	got = f.rectify(t, "show", "-json", "fix.plan")
	if got.code != 0 {
		t.Fatalf("show -json: %s", got)
	}
	conforms(t, s, "plan.v3.json", "show -json", got.stdout)
	file, err := os.ReadFile(filepath.Join(f.dir, "fix.plan"))
	if err != nil {
		t.Fatal(err)
	}
	conforms(t, s, "plan-file.v3.json", "the plan file", string(file))

	// The lab's duplicate SPN is left for the operator, so ex01's queue
	// still fails after the apply: the run is journaled all the same.
	if got := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "CHG-4711", "fix.plan"); !strings.Contains(got.stdout, "10 applied, 0 failed") {
		t.Fatalf("apply: %s", got)
	}
	if got := f.rectify(t, "watch", "-inventory", "inventory.hcl", "-state", "journal.db", "-once", "-mode", "monitor", "exchange-454"); !strings.Contains(got.stdout, "cycle") {
		t.Fatalf("watch -once: %s", got)
	}
	for _, args := range [][]string{{}, {"1"}, {"2"}, {"-kind", "apply"}, {"-kind", "watch", "-since", "1h"}, {"-drift"}, {"-drift", "-open"}} {
		got := f.rectify(t, append([]string{"history", "-json", "-state", "journal.db"}, args...)...)
		if got.code != 0 {
			t.Fatalf("history %v: %s", args, got)
		}
		if strings.TrimSpace(got.stdout) == "[]" || strings.TrimSpace(got.stdout) == "null" {
			t.Errorf("history -json %v is empty; the test shows nothing of its shape", args)
		}
		conforms(t, s, "history.v1.json", "history -json "+strings.Join(args, " "), got.stdout)
	}

	for _, args := range [][]string{
		{"exchange-454"},
		{"-inventory", "inventory.hcl", "exchange-454"},
	} {
		got := f.rectify(t, append([]string{"validate", "-json"}, args...)...)
		if got.code != 0 {
			t.Errorf("validate -json %v: %s", args, got)
		}
		conforms(t, s, "validate.v1.json", "validate -json", got.stdout)
	}
}

// TestValidateJSON checks validate -json on invalid input: every problem
// with its range and snippet, exit status 1, nothing on standard error,
// and a document that validates against its schema.
func TestValidateJSON(t *testing.T) {
	s := schemas(t)
	for _, tt := range []struct {
		name   string
		args   []string
		errors int
	}{
		{"inventory errors", []string{"-inventory", "inventory/testdata/errors/hosts.hcl", "internal/cli/testdata/empty"}, 13},
		{"missing inventory", []string{"-inventory", "no/such/inventory.hcl", "internal/cli/testdata/empty"}, 1},
		{"playbook errors", []string{"-inventory", "internal/cli/testdata/playbook-tests.hcl", "playbooks/testdata/invalid/multi"}, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, runOptions{}, append([]string{"validate", "-json"}, tt.args...)...)
			if got.code != exitError || got.stderr != "" {
				t.Fatalf("exit %d, want 1 and nothing on stderr:\n%s", got.code, got)
			}
			conforms(t, s, "validate.v1.json", "validate -json", got.stdout)
			var v struct {
				Valid       bool `json:"valid"`
				ErrorCount  int  `json:"error_count"`
				Diagnostics []struct {
					Severity string `json:"severity"`
					Range    *struct {
						Filename string `json:"filename"`
						Start    struct{ Line, Byte int }
						End      struct{ Byte int }
					} `json:"range"`
					Snippet *struct {
						Code                 string `json:"code"`
						HighlightStartOffset int    `json:"highlight_start_offset"`
						HighlightEndOffset   int    `json:"highlight_end_offset"`
					} `json:"snippet"`
				} `json:"diagnostics"`
			}
			if err := json.Unmarshal([]byte(got.stdout), &v); err != nil {
				t.Fatal(err)
			}
			if v.Valid || v.ErrorCount == 0 || (tt.errors > 0 && v.ErrorCount != tt.errors) || len(v.Diagnostics) < v.ErrorCount {
				t.Errorf("valid %v, %d errors (want %d), %d diagnostics", v.Valid, v.ErrorCount, tt.errors, len(v.Diagnostics))
			}
			for _, d := range v.Diagnostics {
				if d.Range == nil || d.Snippet == nil {
					continue
				}
				src, err := os.ReadFile(filepath.Join("../..", d.Range.Filename))
				if err != nil {
					t.Fatalf("a range names %q, which is not relative to the working directory: %v", d.Range.Filename, err)
				}
				ranged := string(src[d.Range.Start.Byte:d.Range.End.Byte])
				highlighted := d.Snippet.Code[d.Snippet.HighlightStartOffset:d.Snippet.HighlightEndOffset]
				if !strings.HasPrefix(ranged, highlighted) {
					t.Errorf("%s line %d: the snippet highlights %q, the range holds %q", d.Range.Filename, d.Range.Start.Line, highlighted, ranged)
				}
			}
		})
	}
}
