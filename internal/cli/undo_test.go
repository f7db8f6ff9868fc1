package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

const kerberosParams = `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`

// labState is what the KB playbook changes on the lab, read from the lab
// itself: every Exchange server's Kerberos LogLevel, its account's SPNs
// and its receive connectors' authentication.
func labState(t *testing.T, f *labFixture) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range f.lab.Exchange() {
		h, ok := f.lab.Host(name)
		if !ok {
			t.Fatalf("no lab host %s", name)
		}
		// The value, not its key: a key created for a value stays when the
		// value is deleted again, as the plan's undo says.
		v, _, exists := h.RegistryValue(kerberosParams, "LogLevel")
		out[name+" LogLevel"] = fmt.Sprintf("value %v: %v", exists, v)
		account := strings.ToUpper(name) + "$"
		out[name+" SPNs"] = strings.Join(f.lab.SPNs(account), ", ")
		for _, c := range h.Connectors() {
			out[name+" "+c.Identity] = fmt.Sprintf("auth %v, groups %v", c.AuthMechanism, c.PermissionGroups)
		}
	}
	return out
}

// TestUndoRestoresTheKBChanges applies the KB playbook to the lab, undoes
// the run, and reads the lab's state back to what it was before: registry
// values, SPNs and connectors. The undo is journaled as a run of kind
// undo, every change verified, and a second undo finds nothing to do.
func TestUndoRestoresTheKBChanges(t *testing.T) {
	f := startLab(t, lab.KB979174())
	before := labState(t, f)
	applied := f.rectify(t, "apply", "-inventory", "inventory.hcl", "-state", "journal.db", "-auto-approve", "-window-override", "test", "exchange-454")
	t.Logf("apply exited %d", applied.code)
	changed := labState(t, f)
	for _, what := range []string{"LogLevel", "SPNs", "Default"} {
		if !differsIn(before, changed, what) {
			t.Fatalf("the apply changed no %s on the lab; the test needs it to:\n%s", what, cmp.Diff(before, changed))
		}
	}

	plan := f.rectify(t, "undo", "-inventory", "inventory.hcl", "-playbook", "exchange-454", "-state", "journal.db", "-out", "undo.plan", "1")
	if plan.code != exitOK {
		t.Fatalf("undo -out: %s", plan)
	}
	for _, want := range []string{"step.kerberos_log[ex01]", "step.smtp[ex01]", "step.connector[ex02]", "cannot be undone"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("the undo plan does not mention %q:\n%s", want, plan.stdout)
		}
	}
	shown := f.rectify(t, "show", "-json", "undo.plan")
	conforms(t, schemas(t), "plan.v3.json", "show -json of an undo plan", shown.stdout)
	var doc struct {
		Undo *plans.UndoOf `json:"undo"`
	}
	if err := json.Unmarshal([]byte(shown.stdout), &doc); err != nil || doc.Undo == nil || doc.Undo.Run != 1 {
		t.Errorf("show -json does not say the plan undoes run 1 (%v): %+v", err, doc.Undo)
	}
	if diff := cmp.Diff(changed, labState(t, f)); diff != "" {
		t.Fatalf("planning the undo changed the lab (-before +after):\n%s", diff)
	}
	// Undo runs in reverse: the connector (changed last) before the
	// registry value before the SPNs.
	if c, r, s := strings.Index(plan.stdout, "step.connector[ex02]"), strings.Index(plan.stdout, "step.kerberos_log[ex02]"), strings.Index(plan.stdout, "step.smtp[ex01]"); !(c < r && r < s) {
		t.Errorf("the undo plan is not in reverse order (connector %d, registry %d, spn %d):\n%s", c, r, s, plan.stdout)
	}

	undone := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "undo.plan")
	if undone.code != exitOK {
		t.Fatalf("apply undo.plan: %s", undone)
	}
	if diff := cmp.Diff(before, labState(t, f)); diff != "" {
		t.Errorf("after the undo the lab differs from before the apply (-before +after):\n%s", diff)
	}
	run, changes := f.history(t, "2")
	if run.Kind != operation.KindUndo || run.Outcome != operation.Succeeded {
		t.Errorf("the undo run is %s, %s; want undo, succeeded", run.Kind, run.Outcome)
	}
	for _, c := range changes {
		if c.Status != "applied" {
			t.Errorf("undo change %s: %s %s", c.Address, c.Status, c.Error)
		}
	}
	if len(changes) == 0 {
		t.Error("the undo run journaled no change")
	}
	if again := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "undo.plan"); again.code == exitOK {
		t.Errorf("the undo plan was applied twice: %s", again)
	}
	second := f.rectify(t, "undo", "-inventory", "inventory.hcl", "-playbook", "exchange-454", "-state", "journal.db", "-auto-approve", "-window-override", "test", "1")
	if second.code == exitOK || !strings.Contains(second.stdout, "already as it was before run 1's change") {
		t.Errorf("undoing run 1 again: %s", second)
	}
}

func differsIn(a, b map[string]string, what string) bool {
	for k, v := range a {
		if strings.Contains(k, what) && b[k] != v {
			return true
		}
	}
	return false
}

// TestUndoLeavesWhatChangedSince changes ex01's LogLevel by hand after an
// undo plan was saved: applying that plan leaves the value alone (stale),
// undoes the rest, and a new undo plan says the value changed since the
// run and blocks it, so that nobody's later change is overwritten.
func TestUndoLeavesWhatChangedSince(t *testing.T) {
	f := startLab(t, lab.KB979174())
	f.rectify(t, "apply", "-inventory", "inventory.hcl", "-state", "journal.db", "-auto-approve", "-window-override", "test", "exchange-454")
	if _, _, exists := mustLabHost(t, f, "ex01").RegistryValue(kerberosParams, "LogLevel"); !exists {
		t.Fatal("the apply set no LogLevel on ex01; the test needs it to")
	}
	if got := f.rectify(t, "undo", "-inventory", "inventory.hcl", "-playbook", "exchange-454", "-state", "journal.db", "-out", "undo.plan", "1"); got.code != exitOK {
		t.Fatalf("undo -out: %s", got)
	}
	someoneElse := lab.RegistryValue{Kind: "DWord", Data: uint32(3)}
	if err := mustLabHost(t, f, "ex01").SetRegistryValue(kerberosParams, "LogLevel", someoneElse); err != nil {
		t.Fatal(err)
	}
	got := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "undo.plan")
	if got.code == exitOK || !strings.Contains(got.stdout, "step.kerberos_log[ex01]: stale") {
		t.Errorf("applying the undo plan after ex01's value changed: %s", got)
	}
	if v, _, _ := mustLabHost(t, f, "ex01").RegistryValue(kerberosParams, "LogLevel"); !cmp.Equal(v, someoneElse) {
		t.Errorf("the undo overwrote ex01's LogLevel, changed since the plan: %v", v)
	}
	if _, _, exists := mustLabHost(t, f, "ex02").RegistryValue(kerberosParams, "LogLevel"); exists {
		t.Error("the undo did not delete ex02's LogLevel, which nobody changed")
	}
	again := f.rectify(t, "undo", "-inventory", "inventory.hcl", "-playbook", "exchange-454", "-state", "journal.db", "-auto-approve", "-window-override", "test", "1", "step.kerberos_log[ex01]")
	if again.code == exitOK || !strings.Contains(again.stdout, "cannot be undone: the value changed since run 1's change") {
		t.Errorf("undoing ex01's LogLevel again: %s", again)
	}
	if v, _, _ := mustLabHost(t, f, "ex01").RegistryValue(kerberosParams, "LogLevel"); !cmp.Equal(v, someoneElse) {
		t.Errorf("the second undo overwrote ex01's LogLevel: %v", v)
	}
	if bad := f.rectify(t, "undo", "-inventory", "inventory.hcl", "-playbook", "exchange-454", "-state", "journal.db", "1", "step.nothing[ex01]"); bad.code == exitOK ||
		!strings.Contains(bad.stderr, "run 1 made no change to step.nothing[ex01]") {
		t.Errorf("undo of an address the run did not change: %s", bad)
	}
}

func mustLabHost(t *testing.T, f *labFixture, name string) *lab.Host {
	t.Helper()
	h, ok := f.lab.Host(name)
	if !ok {
		t.Fatalf("no lab host %s", name)
	}
	return h
}
