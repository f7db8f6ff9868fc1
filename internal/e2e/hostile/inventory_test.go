package hostile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab"
)

// TestInventoryRefusesHostileFacts puts hostile values into ex01's host
// block: validate, plan and apply each refuse the inventory with the
// diagnostic on the offending attribute's line, no host receives anything
// and the journal holds no apply.
func TestInventoryRefusesHostileFacts(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	before := f.lab.SPNs("EX01$")
	for _, tc := range []struct {
		name    string
		edit    func(b *hclwrite.Block)
		marker  string // what the offending line starts with
		summary string
	}{
		{"host name with PowerShell", func(b *hclwrite.Block) { b.SetLabels([]string{psInjection}) }, `host "`, "Invalid host name"},
		{"host name with LDAP", func(b *hclwrite.Block) { b.SetLabels([]string{ldapInjection}) }, `host "`, "Invalid host name"},
		{"fqdn with a subexpression", func(b *hclwrite.Block) { b.Body().SetAttributeValue("fqdn", str(psSubexpr+".corp.example.com")) }, "fqdn", "Invalid fqdn"},
		{"fqdn with backticks", func(b *hclwrite.Block) { b.Body().SetAttributeValue("fqdn", str(psBackticks+".corp.example.com")) }, "fqdn", "Invalid fqdn"},
		{"fqdn with LDAP", func(b *hclwrite.Block) {
			b.Body().SetAttributeValue("fqdn", str("ex01"+ldapInjection+".corp.example.com"))
		}, "fqdn", "Invalid fqdn"},
		{"fqdn with NUL", func(b *hclwrite.Block) { b.Body().SetAttributeValue("fqdn", str("ex01.corp.example.com\x00")) }, "fqdn", "Invalid fqdn"},
		{"fqdn with a line break", func(b *hclwrite.Block) {
			b.Body().SetAttributeValue("fqdn", str("ex01.corp.example.com\r\nevil.corp.example.com"))
		}, "fqdn", "Invalid fqdn"},
		{"fqdn of 64 KiB", func(b *hclwrite.Block) { b.Body().SetAttributeValue("fqdn", str(long64K())) }, "fqdn", "Invalid fqdn"},
		{"fqdn in Cyrillic", func(b *hclwrite.Block) { b.Body().SetAttributeValue("fqdn", str(cyrillicEx01+".corp.example.com")) }, "fqdn", "Invalid fqdn"},
		{"address with PowerShell", func(b *hclwrite.Block) { b.Body().SetAttributeValue("address", str("127.0.0.1"+psInjection)) }, "address", "Invalid address"},
		{"group with LDAP", func(b *hclwrite.Block) {
			b.Body().SetAttributeValue("groups", cty.ListVal([]cty.Value{str("exchange"), str(ldapInjection)}))
		}, "groups", "Invalid group name"},
		{"domain with PowerShell", func(b *hclwrite.Block) { b.Body().SetAttributeValue("domain", str(psInjection)) }, "domain", "Unknown domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "inv-" + strings.ReplaceAll(tc.name, " ", "-") + ".hcl"
			f.editInventory(t, name, func(host string, b *hclwrite.Block) {
				if host == "ex01" {
					tc.edit(b)
				}
			})
			line := lineOf(t, f, name, tc.marker)
			state := "journal-" + strings.ReplaceAll(tc.name, " ", "-") + ".db"
			for _, args := range [][]string{
				{"validate", "-inventory", name, pb},
				{"plan", "-inventory", name, "-state", state, pb},
				{"apply", "-inventory", name, "-state", state, "-auto-approve", "-window-override", "hostile test", pb},
			} {
				got := f.rectify(t, args...)
				if got.code != 1 || !strings.Contains(got.stderr, "Error: "+tc.summary) ||
					!strings.Contains(got.stderr, fmt.Sprintf("on %s line %d", name, line)) {
					t.Errorf("%s: want exit 1 and %q on line %d: %s", args[0], tc.summary, line, got)
				}
				if args[0] == "validate" {
					t.Logf("validate printed %d bytes", len(got.stderr))
				}
				if strings.ContainsAny(got.stderr+got.stdout, "\x00\r") {
					t.Errorf("%s printed a raw NUL or carriage return: %q", args[0], clip(got.stderr))
				}
			}
			f.receivedNothing(t)
			if runs := f.runs(t, state); len(runs) != 0 {
				t.Errorf("the journal holds runs of a refused inventory: %+v", runs)
			}
		})
	}
	if diff := cmp.Diff(before, f.lab.SPNs("EX01$")); diff != "" {
		t.Errorf("EX01$'s SPNs changed (-before +after):\n%s", diff)
	}
}

// lineOf returns the 1-based line of the first line of ex01's host block
// (or of the block itself, for `host "`) that starts with marker.
func lineOf(t *testing.T, f *fixture, name, marker string) int {
	t.Helper()
	lines := strings.Split(readFile(t, f, name), "\n")
	inHost := false
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(l, `host "`) {
			inHost = !strings.HasPrefix(l, `host "ex02"`) && !strings.HasPrefix(l, `host "dc0`)
			if inHost && marker == `host "` {
				return i + 1
			}
			continue
		}
		if inHost && strings.HasPrefix(trimmed, marker) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line starting with %q in ex01's block", name, marker)
	return 0
}
