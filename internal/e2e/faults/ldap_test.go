package faults

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/journal"
)

// inFlight reports whether the journal holds addr of run 1 as in flight.
func (f *fixture) inFlight(addr string) bool {
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
		if c.Address == addr && c.Status == journal.InFlight {
			return true
		}
	}
	return false
}

// TestDirectoryRestartsDuringSPNChange restarts the PDC emulator's LDAP
// server while the SPN change of ex01 is under way (every LDAP answer
// takes 300 ms, and the restart comes once the journal holds the change as
// in flight): the change fails without being made, the SPNs are as they
// were, the run stops (max_fail = 0), and a new plan shows every change
// but the clock resync made before it.
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
				if waitFor(t, done, func() bool { return f.inFlight("step.smtp[ex01]") }) {
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
			f.check(t, got, "1", outcome{
				statuses:  map[string]string{"step.clocks[ex01]": "applied", "step.smtp[ex01]": "failed"},
				errors:    map[string][]string{"step.smtp[ex01]": {"not changed", "could not re-read the target"}},
				remaining: sorted(without(planned, "step.clocks[ex01]")...),
			})
			if n := f.lab.LDAPStats(dc).Modifies; n != 0 {
				t.Errorf("the directory received %d modifications, want none", n)
			}
			if diff := cmp.Diff(spns, f.lab.SPNs("EX01$")); diff != "" {
				t.Errorf("EX01$'s SPNs changed although the change failed (-before +after):\n%s", diff)
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
