package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
)

// canary is a recognisable secret: it must never appear anywhere rectify
// writes, in any form a reader would recognise.
const canary = "CANARY-7f3e-correct-horse-battery"

// canaryForms are the forms of the canary that must not appear: as
// written, and as JSON or Go would quote it (the same here).
var canaryForms = []string{canary, strings.ToLower(canary), "correct-horse-battery"}

// canaryPlaybook uses the canary as registry data (from env()) and in a
// windows.powershell step's desired state (from a sensitive variable).
const canaryPlaybook = `playbook "canary" {
  title = "Secrets travel with their values"
}

variable "service_password" {
  type      = string
  sensitive = true
}

step "windows.registry_value" "vendor_password" {
  targets = group.exchange
  path    = "HKLM:\\SOFTWARE\\Vendor"
  name    = "Password"
  type    = "string"
  value   = env("RECTIFY_CANARY")
}

step "windows.powershell" "service_account" {
  targets = group.exchange
  check   = file("check.ps1")
  apply   = file("apply.ps1")
  desired = { user = "svc-vendor", password = var.service_password }
  object  = "the vendor's service account"
}
`

// TestCanarySecretIsNeverRecorded plans, shows, applies and reads the
// history of a playbook that writes a canary secret as registry data and
// passes it to a user's script, at trace log level, and finds the canary
// in no output, no plan file, no byte of the journal (database and
// write-ahead log) and no log line; while the lab's hosts did receive the
// real value. Every command succeeds, so no scrubbing of messages is
// involved: the values are kept out because they carry their sensitivity.
func TestCanarySecretIsNeverRecorded(t *testing.T) {
	f := startLab(t, lab.KB979174())
	f.env["RECTIFY_CANARY"] = canary
	writeFile(t, filepath.Join(f.dir, "canary", "playbook.hcl"), canaryPlaybook)
	writeFile(t, filepath.Join(f.dir, "canary", "check.ps1"), "# rectify:op user.service_account v1\nparam($a)\n")
	writeFile(t, filepath.Join(f.dir, "canary", "apply.ps1"), "# rectify:op user.service_account_set v1\nparam($a)\n")

	var outputs []string
	journalBytes := func() {
		for _, name := range []string{"journal.db", "journal.db-wal"} {
			if b, err := os.ReadFile(filepath.Join(f.dir, name)); err == nil {
				outputs = append(outputs, name+":\n"+string(b))
			}
		}
	}
	cmd := func(wantCode int, args ...string) result {
		t.Helper()
		got := f.rectify(t, append([]string{"-log-level", "trace"}, args...)...)
		if got.code != wantCode {
			t.Fatalf("rectify %s: exit %d, want %d\n%s", args[0], got.code, wantCode, got)
		}
		// The label names the command without its arguments, which hold
		// the secret as the operator typed it.
		outputs = append(outputs, fmt.Sprintf("output of command %d (%s)", len(outputs), args[0])+":\n"+got.stdout+got.stderr)
		journalBytes()
		return got
	}

	plan := cmd(exitChanges, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-detailed-exitcode",
		"-var", "service_password="+canary, "-out", "canary.plan", "canary")
	if !strings.Contains(plan.stdout, "data = (sensitive)") || !strings.Contains(plan.stdout, "password = (sensitive)") {
		t.Errorf("the plan does not show the secret as (sensitive):\n%s", plan.stdout)
	}
	cmd(exitOK, "show", "canary.plan")
	cmd(exitOK, "show", "-json", "canary.plan")
	cmd(exitOK, "show", "-markdown", "canary.plan")
	cmd(exitChanges, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-detailed-exitcode", "-json",
		"-var", "service_password="+canary, "canary")

	// A sensitive variable is not kept in the plan: apply needs its value
	// again, and refuses another one.
	f.env["RECTIFY_VAR_service_password"] = canary + "-other"
	cmd(exitError, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "canary test", "canary.plan")
	f.env["RECTIFY_VAR_service_password"] = canary
	cmd(exitOK, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "canary test", "canary.plan")

	// After the apply the hosts hold the secret: the next plan reads it
	// back, and keeps it out of its record too.
	again := cmd(exitOK, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-detailed-exitcode",
		"-var", "service_password="+canary, "-out", "again.plan", "canary")
	if !strings.Contains(again.stdout, "No changes.") {
		t.Errorf("the plan after the apply is not empty:\n%s", again.stdout)
	}
	cmd(exitOK, "show", "-json", "again.plan")
	cmd(exitOK, "history", "-state", "journal.db")
	cmd(exitOK, "history", "-state", "journal.db", "-json")
	cmd(exitOK, "history", "-state", "journal.db", "1")
	cmd(exitOK, "history", "-state", "journal.db", "-json", "1")
	for _, name := range []string{"canary.plan", "again.plan"} {
		b, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, name+":\n"+string(b))
	}

	for _, out := range outputs {
		for _, form := range canaryForms {
			if i := strings.Index(out, form); i >= 0 {
				name, _, _ := strings.Cut(out, "\n")
				t.Errorf("%s holds the secret: ...%s...", name, clipAround(out, i))
			}
		}
	}

	// The secret did reach the hosts, where it belongs.
	for _, h := range f.lab.Exchange() {
		host, _ := f.lab.Host(h)
		v, _, exists := host.RegistryValue(`HKLM:\SOFTWARE\Vendor`, "Password")
		if !exists || v.Data != canary {
			t.Errorf("%s: the registry value is %v (exists %v), want the secret", h, v.Data, exists)
		}
		sent := false
		for _, r := range f.lab.Received(h) {
			if r.Op == "user.service_account_set" && bytes.Contains(r.Args, []byte(canary)) {
				sent = true
			}
		}
		if !sent {
			t.Errorf("%s: the apply script did not receive the secret", h)
		}
	}
	// And the journal remembers the changes, as hashes.
	_, changes := f.history(t, "1")
	if len(changes) != 4 {
		t.Errorf("the journal holds %d changes of the apply, want 4", len(changes))
	}
	for _, c := range changes {
		if c.Status != "applied" || !json.Valid(c.Planned) {
			t.Errorf("%s: %s", c.Address, c.Status)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func clipAround(s string, i int) string {
	return s[max(0, i-80):min(len(s), i+80)]
}
