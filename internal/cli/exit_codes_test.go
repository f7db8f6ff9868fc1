package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/operation"
)

// markerPlaybook sets one registry value on the Exchange servers: a change
// that converges, whose value -var changes.
const markerPlaybook = `playbook "marker" {
  title = "A registry value that converges"
}

variable "value" {
  type    = string
  default = "one"
}

step "windows.registry_value" "marker" {
  targets = group.exchange
  path    = "HKLM:\\SOFTWARE\\Rectify"
  name    = "Marker"
  type    = "string"
  value   = var.value
}
`

// TestExitCodes runs every command against the lab, as a script would,
// and checks the exit code of each outcome a script must tell apart: 0
// success, 1 an error before any change, 2 a mistake in the command line
// (and plan -detailed-exitcode's "changes"), 3 changes made and some
// failed, 4 changes made and not converged, 5 refused. The rows run in
// order against one lab and journal; each says what state it leaves.
func TestExitCodes(t *testing.T) {
	f := startLab(t, lab.KB979174())
	f.setWindow(t, "never")
	writeFile(t, filepath.Join(f.dir, "marker", "playbook.hcl"), markerPlaybook)
	writeFile(t, filepath.Join(f.dir, "broken", "playbook.hcl"), "playbook \"broken\" {\n  title = \n}\n")
	writeFile(t, filepath.Join(f.dir, "unformatted", "playbook.hcl"), "playbook \"u\" {\ntitle=\"x\"\n}\n")
	writeFile(t, filepath.Join(f.dir, "formatted", "playbook.hcl"), "playbook \"u\" {\n  title = \"x\"\n}\n")
	writeFile(t, filepath.Join(f.dir, "bad-scenario.hcl"), "scenario \"x\" {\n  domain = \"corp.example.com\"\n}\n")
	// with puts the inventory and journal after the command name; the
	// override goes last.
	with := func(args ...string) []string {
		return append([]string{args[0], "-inventory", "inventory.hcl", "-state", "journal.db"}, args[1:]...)
	}
	override := func(args ...string) []string { return append(args, "-window-override", "exit code test") }

	// holdEx02 takes the host lock on ex02 as another apply would, until
	// the returned function releases it.
	holdEx02 := func(t *testing.T) func() {
		j, err := journal.Open(context.Background(), f.state)
		if err != nil {
			t.Fatal(err)
		}
		holder, err := j.StartRun(context.Background(), operation.RunInfo{Kind: operation.KindApply, Playbook: "marker"})
		if err != nil {
			t.Fatal(err)
		}
		lease, err := j.LockHosts(context.Background(), holder, []string{"ex02.corp.example.com"})
		if err != nil {
			t.Fatal(err)
		}
		return func() {
			lease.Release(context.Background())
			j.Close()
		}
	}

	tests := []struct {
		name string
		args []string
		// before prepares the lab; it returns what undoes it, or nil.
		before func(t *testing.T) func()
		want   int
		// stderr is a part of what the command says on stderr.
		stderr string
	}{
		// 2: the command line.
		{name: "unknown command", args: []string{"plna"}, want: exitUsage, stderr: "did you mean"},
		{name: "unknown flag", args: []string{"plan", "-colour", "marker"}, want: exitUsage, stderr: "flag provided but not defined"},
		{name: "missing argument", args: with("plan"), want: exitUsage, stderr: "expected one PLAYBOOK"},
		{name: "no inventory", args: []string{"plan", "marker"}, want: exitUsage, stderr: "-inventory FILE is required"},
		{name: "bad history -since", args: []string{"history", "-since", "yesterday"}, want: exitUsage, stderr: "-since \"yesterday\""},
		{name: "discover without -ldap", args: []string{"inventory", "discover"}, want: exitUsage, stderr: "-ldap is required"},
		{name: "undo without a run", args: with("undo", "-playbook", "marker"), want: exitUsage, stderr: "expected the RUN"},
		// With -detailed-exitcode, 2 means changes only: mistakes exit 1.
		{name: "usage with -detailed-exitcode", args: with("plan", "-detailed-exitcode"), want: exitError, stderr: "expected one PLAYBOOK"},
		{name: "unknown flag with -detailed-exitcode", args: with("plan", "-detailed-exitcode", "-colour", "marker"), want: exitError, stderr: "flag provided but not defined"},
		{name: "unknown global flag with -detailed-exitcode", args: append([]string{"-colour"}, with("plan", "-detailed-exitcode", "marker")...), want: exitError,
			stderr: "flag provided but not defined"},

		// 1: errors before any change.
		{name: "invalid playbook", args: []string{"validate", "broken"}, want: exitError},
		{name: "plan of an invalid playbook", args: with("plan", "broken"), want: exitError},
		{name: "show of no plan", args: []string{"show", "missing.plan"}, want: exitError},
		{name: "fmt -check of a file to format", args: []string{"fmt", "-check", "unformatted"}, want: exitError},
		{name: "lab -check of a bad scenario", args: []string{"lab", "-scenario", "bad-scenario.hcl", "-check"}, want: exitError},
		{name: "history of no such run", args: []string{"history", "-state", "journal.db", "99"}, want: exitError, stderr: "no such run"},
		{name: "undo of no such run", args: with("undo", "-playbook", "marker", "99"), want: exitError},

		// 0 and 2: plans.
		{name: "fmt -check of a formatted file", args: []string{"fmt", "-check", "formatted"}, want: exitOK},
		{name: "valid playbook", args: []string{"validate", "-inventory", "inventory.hcl", "marker"}, want: exitOK},
		{name: "plan with changes", args: with("plan", "-out", "marker.plan", "marker"), want: exitOK},
		{name: "plan -detailed-exitcode with changes", args: with("plan", "-detailed-exitcode", "marker"), want: exitChanges},
		{name: "show", args: []string{"show", "marker.plan"}, want: exitOK},

		// 5: refusals.
		{name: "plan of the KB", args: with("plan", "-out", "kb.plan", "exchange-454"), want: exitOK},
		{name: "apply outside the window", args: []string{"apply", "-state", "journal.db", "kb.plan"}, want: exitRefused, stderr: "outside the playbook's change windows"},
		{name: "apply while another run holds a host", args: override("apply", "-state", "journal.db", "marker.plan"), before: holdEx02,
			want: exitRefused, stderr: "another run holds the lock"},
		{name: "watch -once while another run holds a host", args: with("watch", "-once", "marker"), before: holdEx02, want: exitRefused},

		// 0: changes made and verified, then nothing to do.
		{name: "apply", args: override("apply", "-state", "journal.db", "marker.plan"), want: exitOK},
		{name: "apply of the same plan again", args: override("apply", "-state", "journal.db", "marker.plan"), want: exitRefused, stderr: "already"},
		{name: "plan -detailed-exitcode without changes", args: with("plan", "-detailed-exitcode", "marker"), want: exitOK},
		{name: "apply of a playbook with nothing to do", args: override(with("apply", "-auto-approve", "marker")...), want: exitOK},
		{name: "watch -once", args: with("watch", "-once", "marker"), want: exitOK},
		{name: "history", args: []string{"history", "-state", "journal.db"}, want: exitOK},

		// 3 and 1: ex02 answers every request with a server error.
		{name: "plan of a new value", args: with("plan", "-var", "value=two", "-out", "two.plan", "marker"), want: exitOK},
		{name: "apply with ex02 failing", args: override("apply", "-state", "journal.db", "two.plan"), before: failEx02(f), want: exitFailed},
		{name: "plan with ex02 unreadable", args: with("plan", "-var", "value=two", "marker"), before: failEx02(f), want: exitError},
		// ex01 has the value: nothing to change where the hosts can be
		// read, and one host could not be: no success.
		{name: "apply of a playbook with nothing to do but an unreadable host", args: override(with("apply", "-auto-approve", "-var", "value=two", "marker")...),
			before: failEx02(f), want: exitError},

		// 4: the KB's queues do not converge while its SPN conflict is
		// there (as the demo shows).
		{name: "apply of the KB", args: override(with("apply", "-auto-approve", "exchange-454")...), want: exitUnverified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				if undo := tt.before(t); undo != nil {
					defer undo()
				}
			}
			got := f.rectify(t, tt.args...)
			if got.code != tt.want || !strings.Contains(got.stderr, tt.stderr) {
				t.Errorf("rectify %s: exit %d, want %d (stderr with %q)\n%s", strings.Join(tt.args, " "), got.code, tt.want, tt.stderr, got)
			}
		})
	}
}

// failEx02 makes ex02 answer every WinRM request with a server error until
// the returned function is called.
func failEx02(f *labFixture) func(t *testing.T) func() {
	return func(t *testing.T) func() {
		if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{ServerError: true}); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
