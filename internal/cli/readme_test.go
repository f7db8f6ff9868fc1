package cli

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEveryCommand checks that the README's commands table has
// a row for every command of the command table.
func TestREADMEListsEveryCommand(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "## Commands\n")
	if !ok {
		t.Fatal("the README has no Commands section")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	rows := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `rectify ") {
			continue
		}
		first := strings.Fields(strings.TrimPrefix(line, "| `rectify "))[0]
		rows[strings.Trim(first, "`")] = true
	}
	for _, name := range commandNames() {
		if !rows[name] {
			t.Errorf("the README's commands table has no row for rectify %s", name)
		}
	}
}
