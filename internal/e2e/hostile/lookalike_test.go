package hostile

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab"
)

// TestLookAlikeHostNameAndHostileSite names ex01 "ех01" in Cyrillic (HCL
// identifiers may hold any letter, so the inventory accepts it) and gives
// every host a site and variables of PowerShell and LDAP syntax. The
// look-alike does not alias: -limit ex01 selects nothing and says so; the
// host is reached by its FQDN and its changes are journaled under the name
// as written; the site and variables never reach a host outside op
// arguments.
func TestLookAlikeHostNameAndHostileSite(t *testing.T) {
	// Only ex01's missing SMTPSVC SPNs are wrong, so the apply converges.
	f := start(t, lab.KB979174().WithFaults(lab.FaultSPN))
	pb := f.writeExample(t)
	site := psInjection + psSubexpr + ldapInjection
	inv := f.editInventory(t, "lookalike.hcl", func(host string, b *hclwrite.Block) {
		if host == "ex01" {
			b.SetLabels([]string{cyrillicEx01})
		}
		b.Body().SetAttributeValue("site", str(site))
		b.Body().SetAttributeValue("vars", cty.MapVal(map[string]cty.Value{"note": str(psBackticks + ldapInjection)}))
	})
	if got := f.rectify(t, "validate", "-inventory", inv, pb); got.code != 0 {
		t.Fatalf("validate: %s", got)
	}
	limited := f.rectify(t, "plan", "-inventory", inv, "-limit", "ex01", pb)
	if limited.code != 1 || !strings.Contains(limited.stderr, `no host matches "ex01"`) {
		t.Errorf("-limit ex01 with only a look-alike ех01: %s", limited)
	}
	f.receivedNothing(t)

	p, got := planJSON(t, f, "-inventory", inv, "-out", "fix.plan", pb)
	if got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	if in := instance(t, p, "step.smtp["+cyrillicEx01+"]"); in.Change.Action != "update" {
		t.Errorf("%s: %s", in.Address, in.Change.Action)
	}
	apply := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "hostile test", "fix.plan")
	if apply.code != 0 {
		t.Fatalf("apply: %s", apply)
	}
	if spns := f.lab.SPNs("EX01$"); !slices.Contains(spns, "SMTPSVC/ex01.corp.example.com") {
		t.Errorf("the look-alike host's SPN change did not reach EX01$: %v", spns)
	}
	_, changes := f.history(t, "journal.db", "1")
	found := false
	for _, c := range changes {
		if c.Address == "step.smtp["+cyrillicEx01+"]" {
			found = c.Status == "applied" && c.Host == cyrillicEx01
		}
	}
	if !found {
		t.Errorf("the journal has no applied step.smtp[%s]: %+v", cyrillicEx01, changes)
	}
	for _, s := range []string{site, psBackticks + ldapInjection, cyrillicEx01} {
		if carried := f.checkInert(t, s); len(carried) != 0 {
			t.Logf("%q reached hosts as data in %v", s, carried)
		}
	}
}
