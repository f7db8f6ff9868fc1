package cli

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// TestREADMEListsEveryExitCode checks that the README's exit code table
// has a row for every code of the table "rectify help" prints, and no
// other.
func TestREADMEListsEveryExitCode(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## Exit codes\n")
	if !ok {
		t.Fatal("the README has no Exit codes section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var got []string
	for _, line := range strings.Split(section, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.TrimSpace(cells[1]) != "code" && !strings.HasPrefix(strings.TrimSpace(cells[1]), "-") {
			got = append(got, strings.TrimSpace(cells[1]))
		}
	}
	var want []string
	for _, e := range exitCodes() {
		want = append(want, strconv.Itoa(e.code))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the README's exit codes (-want +got):\n%s", diff)
	}
}
