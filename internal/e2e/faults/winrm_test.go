package faults

import (
	"context"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// TestWinRMFaultsDuringApply applies the example playbook while ex02's
// WinRM endpoint misbehaves. The changes on ex01 and dc01 come first and
// are made; the first change on ex02 (its Kerberos log level) fails with
// an error that names the fault; max_fail = 0 stops the run there. ex02
// receives no change, and a new plan, once ex02 is healthy again, shows
// exactly what was not done.
func TestWinRMFaultsDuringApply(t *testing.T) {
	failedOnEx02 := outcome{
		statuses:  union(beforeEx02, map[string]string{"step.kerberos_log[ex02]": "failed"}),
		remaining: sorted("step.kerberos_log[ex02]", "step.connector[ex02]", "step.queues[ex01]", "step.queues[ex02]", "step.tickets[ex01]", "step.kerberos_errors[ex01]", "step.kerberos_errors[ex02]"),
	}
	tests := []struct {
		name string
		// inventory are extra settings of the inventory's winrm block.
		inventory string
		// before is set on ex02 before the apply starts.
		before wsman.Faults
		// during, when set, waits for a moment of the apply and then
		// injects its fault; done is closed when the apply ended.
		during func(t *testing.T, f *fixture, done <-chan struct{})
		words  []string
	}{
		{
			name:   "answers 500",
			before: wsman.Faults{ServerError: true},
			words:  []string{"not changed", "http 500", "InternalError"},
		},
		{
			// The plan authenticated; then the account's password changed
			// and every request is refused.
			name:   "answers 401 after a password change",
			before: wsman.Faults{Unauthorized: true},
			words:  []string{"not changed", "http 401"},
		},
		{
			name:   "resets connections",
			before: wsman.Faults{Reset: true},
			words:  []string{"not changed", "connection reset"},
		},
		{
			name:      "hangs past its timeout",
			inventory: `  timeout = "2s"`,
			before:    wsman.Faults{Hang: true},
			words:     []string{"not changed", "timeout"},
		},
		{
			// Every answer of ex02 takes 300 ms; once its target has been
			// re-read, ex02 drops off the network while the change's
			// command waits for its answer.
			name:   "drops between the re-read and the change",
			before: wsman.Faults{Latency: 300 * time.Millisecond},
			during: func(t *testing.T, f *fixture, done <-chan struct{}) {
				// The change's re-read is the batch that reads the
				// registry value alone (the plan's reads and apply's
				// re-plan read the whole host). The Signal that follows
				// it says the client has its answer: the next request is
				// the change's command, held 300 ms by the latency.
				var signals int64
				reread := func() bool {
					if !rereadSent(f.lab.Received("ex02")) {
						return false
					}
					signals = f.lab.WinRMCounts("ex02").Signal
					return true
				}
				answered := func() bool { return f.lab.WinRMCounts("ex02").Signal > signals }
				if waitFor(t, done, reread) && waitFor(t, done, answered) {
					if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Unreachable: true}); err != nil {
						t.Error(err)
					}
				}
			},
			words: []string{"ex02", "registry.set", "connect"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := start(t, tc.inventory)
			if got := changing(f.plan(t)); !equal(got, planned) {
				t.Fatalf("the plan changes %v, want %v", got, planned)
			}
			if err := f.lab.SetWinRMFaults("ex02", tc.before); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			injected := make(chan struct{})
			go func() {
				defer close(injected)
				if tc.during != nil {
					tc.during(t, f, done)
				}
			}()
			got := f.apply(context.Background())
			close(done)
			<-injected
			if got.code != 1 {
				t.Errorf("apply exit code %d, want 1", got.code)
			}
			if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{}); err != nil {
				t.Fatal(err)
			}
			want := failedOnEx02
			want.errors = map[string][]string{"step.kerberos_log[ex02]": tc.words}
			f.check(t, got, "1", want)
			if n := f.received("ex02", ops.RegistrySet); n != 0 {
				t.Errorf("ex02 received %d registry.set, want none", n)
			}
			if v, _, exists := mustHost(t, f, "ex02").RegistryValue(kerberosKey, "LogLevel"); exists {
				t.Errorf("ex02's LogLevel was set to %v although its change failed", v.Data)
			}
		})
	}
}

// rereadSent reports whether recs hold a batch whose one item reads a
// registry value: the change's re-read of its target.
func rereadSent(recs []lab.OpRecord) bool {
	for i := 0; i+1 < len(recs); i++ {
		if recs[i].Op == ops.Batch && recs[i+1].Op == ops.RegistryGet && (i+2 == len(recs) || recs[i+2].Op != ops.RegistryGet) {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
