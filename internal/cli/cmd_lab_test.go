package cli

import (
	"os"
	"strings"
	"testing"
)

// TestLabRefusesAnUnknownLocale checks that -locale names the languages
// the lab speaks and refuses others before serving anything.
func TestLabRefusesAnUnknownLocale(t *testing.T) {
	r := run(t, runOptions{}, "lab", "-locale", "de-DE", "-write-inventory", t.TempDir()+"/lab.hcl")
	if r.code != exitUsage || !strings.Contains(r.stderr, `-locale: unknown locale "de-DE": the lab speaks en-US, ja-JP`) {
		t.Errorf("rectify lab -locale de-DE:\n%s", r)
	}
	if strings.Contains(r.stdout, "export") {
		t.Errorf("the lab started although the locale is unknown:\n%s", r)
	}
}

// TestLabScenarioFile checks -scenario: a valid file passes -check, a file
// with problems is refused before anything is served with every problem
// on its line, and -scenario excludes -hosts.
func TestLabScenarioFile(t *testing.T) {
	dir := t.TempDir()
	inv := dir + "/lab.hcl"
	r := run(t, runOptions{}, "lab", "-scenario", "internal/lab/testdata/scenarios/clocks-opposite.hcl", "-check")
	if r.code != exitOK || r.stdout != "Scenario clocks-opposite is valid: 4 hosts.\n" {
		t.Errorf("-check of a shipped scenario:\n%s", r)
	}

	bad := dir + "/bad.hcl"
	src := "scenario \"mine\" {\n  domain  = \"corp.example.com\"\n  netbios = \"CORP\"\n}\n\nhost \"dc01\" {\n  role = \"dc\"\n  site = \"HQ\"\n  pdc  = true\n}\n\nhost \"ex01\" {\n  role         = \"exchange\"\n  site         = \"HQ\"\n  dc           = \"dc09\"\n  hypervisor   = \"xen\"\n  clock_offset = \"3 minutes\"\n}\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, runOptions{}, "lab", "-scenario", bad, "-write-inventory", inv)
	for _, want := range []string{"bad.hcl line 15:", "Unknown host", "bad.hcl line 16:", "Invalid hypervisor", "bad.hcl line 17:", "Invalid duration"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-scenario with problems: stderr lacks %q\n%s", want, r)
		}
	}
	if r.code != exitError || strings.Contains(r.stdout, "export") {
		t.Errorf("-scenario with problems: served anyway or wrong exit code:\n%s", r)
	}
	if _, err := os.Stat(inv); err == nil {
		t.Error("an inventory was written for a scenario with problems")
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lab", "-scenario", bad, "-hosts", "3"}, "-scenario and -hosts exclude each other"},
		{[]string{"lab", "-check"}, "-check checks a -scenario file"},
	} {
		if r := run(t, runOptions{}, tt.args...); r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: %s; want %q", tt.args, r, tt.want)
		}
	}
}
