package hostile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab"
)

// TestPlaybookRefusesControlCharacters gives registry paths and SPN
// services NUL, line breaks and a 64 KiB value ending in them: validate,
// plan and apply refuse each on the attribute's line, and nothing reaches
// the lab or the journal.
func TestPlaybookRefusesControlCharacters(t *testing.T) {
	f := start(t, lab.KB979174())
	for _, tc := range []struct {
		name, action, attr string
		attrs              map[string]cty.Value
		want               string
	}{
		{"registry path with NUL", "windows.registry_value", "path", map[string]cty.Value{
			"path": str(`HKLM:\SOFTWARE\Rectify` + "\x00" + psInjection), "name": str("x"), "value": cty.NumberIntVal(1),
		}, "must not contain NUL or line breaks"},
		{"registry path with a line break", "windows.registry_value", "path", map[string]cty.Value{
			"path": str(`HKLM:\SOFTWARE\Rectify` + "\r\n" + psSubexpr), "name": str("x"), "value": cty.NumberIntVal(1),
		}, "must not contain NUL or line breaks"},
		{"registry path outside the hives", "windows.registry_value", "path", map[string]cty.Value{
			"path": str(psInjection), "name": str("x"), "value": cty.NumberIntVal(1),
		}, "must be a PowerShell registry path"},
		{"SPN service with NUL", "ad.spn", "services", map[string]cty.Value{
			"services": cty.ListVal([]cty.Value{str("SMTP\x00" + ldapInjection)}),
		}, "each service must be a class name"},
		{"SPN service with a line break", "ad.spn", "services", map[string]cty.Value{
			"services": cty.ListVal([]cty.Value{str("SMTP\nHOST")}),
		}, "each service must be a class name"},
		{"SPN service of 64 KiB", "ad.spn", "services", map[string]cty.Value{
			"services": cty.ListVal([]cty.Value{str(long64K())}),
		}, "each service must be a class name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pb := "pb-" + strings.ReplaceAll(tc.name, " ", "-")
			src := playbook(tc.action, "evil", "exchange", tc.attrs)
			f.write(t, pb+"/playbook.hcl", src)
			line := 0
			for i, l := range strings.Split(string(src), "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), tc.attr+" ") {
					line = i + 1
				}
			}
			state := pb + ".db"
			for _, cmd := range [][]string{
				{"validate", "-inventory", "inventory.hcl", pb},
				{"plan", "-inventory", "inventory.hcl", "-state", state, pb},
				{"apply", "-inventory", "inventory.hcl", "-state", state, "-auto-approve", pb},
			} {
				got := f.rectify(t, cmd...)
				if got.code != 1 || !strings.Contains(got.stderr, tc.want) || !strings.Contains(got.stderr, fmt.Sprintf("on %s/playbook.hcl line %d", pb, line)) {
					t.Errorf("%s: want exit 1 and %q on line %d: %s", cmd[0], tc.want, line, got)
				}
				if strings.ContainsAny(got.stdout+got.stderr, "\x00\r") {
					t.Errorf("%s printed a raw NUL or carriage return", cmd[0])
				}
			}
			f.receivedNothing(t)
			if runs := f.runs(t, state); len(runs) != 0 {
				t.Errorf("the journal holds runs: %+v", runs)
			}
		})
	}
}
