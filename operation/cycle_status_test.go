package operation

import (
	"testing"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/plans"
)

func TestCycleStatus(t *testing.T) {
	corrected := drift.Item{Result: plans.Applied, Converged: true}
	tests := []struct {
		name string
		rep  drift.CycleReport
		want Status
	}{
		{"no drift", drift.CycleReport{OK: true}, StatusOK},
		{"drift reported, not corrected", drift.CycleReport{OK: true, Items: []drift.Item{{Held: drift.HeldMonitor}}}, StatusOK},
		{"corrected", drift.CycleReport{OK: true, Items: []drift.Item{corrected}}, StatusOK},
		{"skipped for a lock", drift.CycleReport{Skipped: "apply run 1 ..."}, StatusRefused},
		{"a host down, nothing corrected", drift.CycleReport{HostErrors: []drift.HostError{{Host: "ex02"}}}, StatusError},
		{"an error, nothing corrected", drift.CycleReport{Errors: []string{"plan: boom"}}, StatusError},
		{"the only correction failed", drift.CycleReport{Items: []drift.Item{{Result: plans.Failed}}}, StatusError},
		{"one corrected, one failed", drift.CycleReport{Items: []drift.Item{corrected, {Result: plans.Failed}}}, StatusFailed},
		{"made but not converged", drift.CycleReport{Items: []drift.Item{{Result: plans.Applied}}, Errors: []string{"did not converge"}}, StatusFailed},
		{"one corrected, then interrupted", drift.CycleReport{Outcome: string(Interrupted), Items: []drift.Item{corrected, {Result: plans.Interrupted}}}, StatusFailed},
		{"interrupted before any correction", drift.CycleReport{Outcome: string(Interrupted)}, StatusError},
	}
	for _, tt := range tests {
		if got := CycleStatus(tt.rep); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
