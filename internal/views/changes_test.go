package views

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/plans"
)

// TestEveryChangeOfEveryAction renders the plans in testdata/changes,
// which internal/actiontest makes by planning every built-in action into
// each kind of change it makes against the lab, as text and as Markdown,
// and compares them with their golden files. The Markdown must show every
// attribute line, finding and payload the text view shows.
func TestEveryChangeOfEveryAction(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "changes", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no change fixtures: run go test ./internal/actiontest -run TestChangeFixtures -update")
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(id, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p := &plans.Plan{}
			if err := json.Unmarshal(b, p); err != nil {
				t.Fatal(err)
			}
			var text, md bytes.Buffer
			if err := Plan(&text, p, Style{}); err != nil {
				t.Fatal(err)
			}
			if err := Markdown(&md, p); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("changes", id+".txt"), text.Bytes())
			golden(t, filepath.Join("changes", id+".md"), md.Bytes())
			for _, in := range p.Instances {
				for _, l := range attrLines(in.Change) {
					line := l.text
					if l.marker != plans.NoOp {
						line = l.marker.Symbol() + " " + l.text
					}
					if !strings.Contains(md.String(), "\n"+line+"\n") {
						t.Errorf("%s: the Markdown lacks the attribute line %q", in.Address, line)
					}
				}
				if strings.Contains(md.String(), "&gt;") || strings.Contains(md.String(), "&lt;") {
					t.Errorf("the Markdown holds HTML entities, which code spans and plain-text readers show as they are")
				}
			}
		})
	}
}
