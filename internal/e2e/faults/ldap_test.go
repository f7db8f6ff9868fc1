package faults

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/journal"
)

// journaledAs reports whether the journal holds addr of run 1 with status.
func (f *fixture) journaledAs(addr, status string) bool {
	j, err := journal.Open(context.Background(), f.state)
	if err != nil {
		return false
	}
	defer j.Close()
	_, changes, err := j.Run(context.Background(), 1)
	if err != nil {
		return false
	}
	for _, c := range changes {
		if c.Address == addr && c.Status == status {
			return true
		}
	}
	return false
}

// TestDirectoryRestartsDuringSPNChange restarts the PDC emulator's LDAP
// server while the SPN change of ex01 is under way (every LDAP answer
// takes 300 ms, and the restart comes once the journal holds the clock
// change before it as applied: the SPN change's re-read of its target, its
// first LDAP request, is then on its way, and the modification is not
// sent before its answer). Either the change fails
// without being made (the SPNs are as they were, the run stops with
// max_fail = 0, and a new plan shows every change but the clock resync
// made before it), or the client reconnects and makes it exactly once;
// whichever happened, the journal, the directory and a new plan agree.
func TestDirectoryRestartsDuringSPNChange(t *testing.T) {
	for _, down := range []time.Duration{200 * time.Millisecond, 3 * time.Second} {
		t.Run(down.String(), func(t *testing.T) {
			t.Parallel()
			f := start(t, "")
			f.plan(t)
			dc := f.lab.DCs()[0]
			spns := f.lab.SPNs("EX01$")
			if err := f.lab.SetLDAPLatency(dc, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			injected := make(chan struct{})
			go func() {
				defer close(injected)
				if waitFor(t, done, func() bool { return f.journaledAs("step.clocks[ex01]", "applied") }) {
					if err := f.lab.RestartLDAP(context.Background(), dc, down); err != nil {
						t.Error(err)
					}
				}
			}()
			got := f.apply(context.Background())
			close(done)
			<-injected
			if err := f.lab.SetLDAPLatency(dc, 0); err != nil {
				t.Fatal(err)
			}
			// Two outcomes are right, and the run must report the one that
			// happened: the client gave up (the change failed, nothing was
			// written, the run stopped), or it reconnected and made the
			// change once (and the run went on as a healthy one).
			_, changes := f.history(t, "1")
			smtp := ""
			for _, c := range changes {
				if c.Address == "step.smtp[ex01]" {
					smtp = c.Status
				}
			}
			modifies := f.lab.LDAPStats(dc).Modifies
			switch smtp {
			case "failed":
				f.check(t, got, "1", outcome{
					statuses:  map[string]string{"step.clocks[ex01]": "applied", "step.smtp[ex01]": "failed"},
					errors:    map[string][]string{"step.smtp[ex01]": {"not changed", "could not re-read the target"}},
					remaining: sorted(without(planned, "step.clocks[ex01]")...),
				})
				if modifies != 0 {
					t.Errorf("the directory received %d modifications, want none", modifies)
				}
				if diff := cmp.Diff(spns, f.lab.SPNs("EX01$")); diff != "" {
					t.Errorf("EX01$'s SPNs changed although the change failed (-before +after):\n%s", diff)
				}
			case "applied":
				f.check(t, got, "1", outcome{
					statuses: union(beforeEx02, map[string]string{"step.kerberos_log[ex02]": "applied", "step.connector[ex02]": "applied",
						"step.tickets[ex01]": "applied", "step.queues[ex01]": "applied", "step.kerberos_errors[ex01]": "applied", "step.kerberos_errors[ex02]": "applied"}),
					remaining: sorted("step.queues[ex01]", "step.queues[ex02]"),
				})
				if modifies != 1 {
					t.Errorf("the directory received %d modifications, want exactly one", modifies)
				}
				if have := f.lab.SPNs("EX01$"); !slices.Contains(have, "SMTPSVC/EX01") {
					t.Errorf("step.smtp[ex01] is journaled as applied but EX01$ holds %v", have)
				}
			default:
				t.Fatalf("step.smtp[ex01] is %q in the journal, want failed or applied:\n%s", smtp, got)
			}
		})
	}
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(drop, v) {
			out = append(out, v)
		}
	}
	return out
}
