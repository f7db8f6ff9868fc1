package cli

import (
	"strings"
	"testing"
)

// TestLabRefusesAnUnknownLocale checks that -locale names the languages
// the lab speaks and refuses others before serving anything.
func TestLabRefusesAnUnknownLocale(t *testing.T) {
	r := run(t, runOptions{}, "lab", "-locale", "de-DE", "-write-inventory", t.TempDir()+"/lab.hcl")
	if r.code != exitError || !strings.Contains(r.stderr, `-locale: unknown locale "de-DE": the lab speaks en-US, ja-JP`) {
		t.Errorf("rectify lab -locale de-DE:\n%s", r)
	}
	if strings.Contains(r.stdout, "export") {
		t.Errorf("the lab started although the locale is unknown:\n%s", r)
	}
}
