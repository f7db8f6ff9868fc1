package hostile

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
)

// playbook renders a playbook with one step whose attributes are set
// with hclwrite: hostile values are escaped HCL strings.
func playbook(action, name string, targets string, attrs map[string]cty.Value) []byte {
	f := hclwrite.NewEmptyFile()
	root := f.Body()
	root.AppendNewBlock("playbook", []string{"hostile"}).Body().SetAttributeValue("title", cty.StringVal("Hostile input"))
	root.AppendNewline()
	step := root.AppendNewBlock("step", []string{action, name}).Body()
	step.SetAttributeTraversal("targets", hcl.Traversal{hcl.TraverseRoot{Name: "group"}, hcl.TraverseAttr{Name: targets}})
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		step.SetAttributeValue(k, attrs[k])
	}
	return f.Bytes()
}

// TestRegistryValueCarriesMetacharactersAsData sets a registry value whose
// key path, value name and 64 KiB data are PowerShell, LDAP and HCL
// syntax, NUL, line breaks and look-alike letters: the lab must receive
// them only as registry.get and registry.set arguments and store exactly
// them, and the journal must record the change.
func TestRegistryValueCarriesMetacharactersAsData(t *testing.T) {
	f := start(t, lab.KB979174())
	path := `HKLM:\SOFTWARE\Rectify\` + psInjection + `\` + psSubexpr + `\` + psBackticks + `\` + ldapInjection + `\` + cyrillicEx01 + `\${env("RECTIFY_WINRM_PASSWORD")}`
	name := psInjection + psSubexpr
	data := long64K()
	f.write(t, "pb/playbook.hcl", playbook("windows.registry_value", "evil", "exchange", map[string]cty.Value{
		"path": str(path), "name": str(name), "type": str("string"), "value": str(data),
	}))

	plan := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "evil.plan", "-detailed-exitcode", "pb")
	if plan.code != 2 || !strings.Contains(plan.stdout, "step.evil[ex01]") {
		t.Fatalf("plan: %s", plan)
	}
	apply := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "evil.plan")
	if apply.code != 0 {
		t.Fatalf("apply: %s", apply)
	}

	for _, host := range []string{"ex01", "ex02"} {
		h, _ := f.lab.Host(host)
		v, _, exists := h.RegistryValue(path, name)
		if !exists || v.Kind != "String" || v.Data != data {
			t.Errorf("%s: the value is not stored as given: exists %v, kind %q, %d bytes", host, exists, v.Kind, len(asString(v.Data)))
		}
		if got := slices.Compact(sorted(opNames(f.lab.Received(host)))); !slices.Equal(got, []string{"batch", "registry.get", "registry.set"}) {
			t.Errorf("%s received ops %v, want only batch, registry.get and registry.set", host, got)
		}
	}
	for _, dc := range f.lab.DCs() {
		if recs := f.lab.Received(dc); len(recs) != 0 {
			t.Errorf("%s, not a target, received %v", dc, opNames(recs))
		}
	}
	for _, s := range []string{psInjection, psSubexpr, psBackticks, ldapInjection, cyrillicEx01, "\x00\r\n"} {
		carried := f.checkInert(t, s)
		for _, host := range []string{"ex01", "ex02"} {
			if !slices.Contains(carried[host], "registry.set") {
				t.Errorf("%s: %q did not reach registry.set as data: %v", host, s, carried[host])
			}
		}
	}

	runs := f.runs(t, "journal.db")
	// Plans are not journaled; the apply is the one run.
	if len(runs) != 1 {
		t.Fatalf("journal runs: %+v", runs)
	}
	run, changes := f.history(t, "journal.db", "1")
	if run.Outcome != operation.Succeeded || len(changes) != 2 {
		t.Fatalf("journal of the apply: outcome %q, %d changes", run.Outcome, len(changes))
	}
	for _, c := range changes {
		if c.Status != "applied" || !strings.Contains(c.Object, psInjection) {
			t.Errorf("journal change %s: status %q, object %q", c.Address, c.Status, clip(c.Object))
		}
	}

	again := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-detailed-exitcode", "pb")
	if again.code != 0 {
		t.Errorf("plan after apply is not empty: %s", again)
	}
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
