package operation

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// results builds an apply's result from change statuses.
func results(statuses ...plans.Status) *engine.ApplyResult {
	res := &engine.ApplyResult{}
	for i, s := range statuses {
		res.Changes = append(res.Changes, plans.ChangeResult{Address: fmt.Sprintf("step.s[h%d]", i), Status: s, Converged: s == plans.Applied})
	}
	return res
}

func TestApplyStatus(t *testing.T) {
	stopped := results(plans.Applied, plans.Skipped)
	stopped.Stopped, stopped.StopReason = true, "interrupted"
	stoppedEarly := results(plans.Interrupted, plans.Interrupted)
	stoppedEarly.Stopped = true
	unconverged := results(plans.Applied, plans.Applied)
	unconverged.NotConverged = []string{"step.s[h1]"}
	unverified := results(plans.Applied)
	unverified.Unverified = []string{"step.s[h0]"}
	maxFail := results(plans.Applied, plans.Failed, plans.Skipped)
	maxFail.Stopped = true

	tests := []struct {
		name      string
		res       *engine.ApplyResult
		want      Status
		unplanned int
	}{
		{"nothing to do", results(), StatusOK, 0},
		{"every change applied and verified", results(plans.Applied, plans.Applied), StatusOK, 0},
		{"skipped changes waiting for a blocked step", results(plans.Applied, plans.Skipped), StatusOK, 0},
		{"one change failed", results(plans.Applied, plans.Failed), StatusFailed, 0},
		{"the only change failed", results(plans.Failed), StatusFailed, 0},
		{"interrupted after a change", stopped, StatusFailed, 0},
		{"stopped by max_fail", maxFail, StatusFailed, 0},
		{"a change stale after another applied", results(plans.Applied, plans.Stale), StatusFailed, 0},
		{"every target moved since the plan", results(plans.Stale, plans.Differs), StatusRefused, 0},
		{"interrupted before any change", stoppedEarly, StatusError, 0},
		{"applied, not converged", unconverged, StatusUnverified, 0},
		{"applied, not verified", unverified, StatusUnverified, 0},
	}
	tests = append(tests, []struct {
		name      string
		res       *engine.ApplyResult
		want      Status
		unplanned int
	}{
		{"applied, one host could not be planned", results(plans.Applied), StatusFailed, 1},
		{"applied unverified, one host could not be planned", unverified, StatusFailed, 1},
		{"nothing applied, one host could not be planned", results(), StatusError, 1},
		{"one change failed, one host could not be planned", results(plans.Failed), StatusFailed, 1},
	}...)
	for _, tt := range tests {
		if got := applyStatus(tt.res, tt.unplanned); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestRefusal(t *testing.T) {
	tests := []struct {
		err  error
		want Status
	}{
		{&engine.WindowClosedError{}, StatusRefused},
		{fmt.Errorf("apply: %w", &engine.ReviewError{Problems: []string{"x"}}), StatusRefused},
		{&engine.DigestMismatchError{What: "playbook"}, StatusRefused},
		{&engine.PlanAgeError{Age: 48 * time.Hour, Max: 24 * time.Hour}, StatusRefused},
		{&HostsLockedError{Held: []HostHolder{{Host: "ex01"}}}, StatusRefused},
		{&ReplayError{RunID: 4}, StatusRefused},
		{errors.New("journal: disk full"), StatusError},
		{context.Canceled, StatusError},
	}
	for _, tt := range tests {
		if got := refusal(tt.err); got != tt.want {
			t.Errorf("%T %v: %s, want %s", tt.err, tt.err, got, tt.want)
		}
	}
}

// TestLockedHosts pins the one rule for what a run locks.
func TestLockedHosts(t *testing.T) {
	hosts := []actions.Host{
		{Name: "ex01", FQDN: "EX01.corp.example.com."},
		{Name: "ex02", FQDN: "ex02.corp.example.com"},
		{Name: "dc01", FQDN: "dc01.corp.example.com"},
		{Name: "lab9"},
	}
	p := &plans.Plan{Instances: []plans.Instance{
		{Host: "ex01", Change: plans.Change{Action: plans.Update}},
		{Host: "ex01", Change: plans.Change{Action: plans.Create}},
		{Host: "ex02", Change: plans.Change{Action: plans.NoOp}},
		{Host: "dc01", Change: plans.Change{Action: plans.Blocked}},
		{Host: "lab9", Change: plans.Change{Action: plans.Run}},
		{Host: "gone", Change: plans.Change{Action: plans.Delete}},
	}}
	for _, tt := range []struct {
		kind Kind
		want []string
	}{
		// An apply or undo locks the hosts its changes change, by FQDN.
		{KindApply, []string{"ex01.corp.example.com", "gone", "lab9"}},
		{KindUndo, []string{"ex01.corp.example.com", "gone", "lab9"}},
		// A cycle locks every host it reads before it reads them.
		{KindWatch, []string{"dc01.corp.example.com", "ex01.corp.example.com", "ex02.corp.example.com", "lab9"}},
	} {
		if diff := cmp.Diff(tt.want, lockedHosts(tt.kind, p, hosts)); diff != "" {
			t.Errorf("%s locks (-want +got):\n%s", tt.kind, diff)
		}
	}
}

func TestCycleVerdict(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ok := drift.CycleReport{Items: []drift.Item{{Result: plans.Applied, Converged: true}, {Held: drift.HeldMonitor}}}
	tests := []struct {
		name string
		ctx  context.Context
		rep  drift.CycleReport
		want drift.Verdict
	}{
		{"corrected and held", context.Background(), ok, drift.Verdict{Outcome: "succeeded", OK: true}},
		{"skipped for a lock", context.Background(), drift.CycleReport{Skipped: "apply run 1 ..."}, drift.Verdict{Outcome: "refused"}},
		{"asked to stop", cancelled, ok, drift.Verdict{Outcome: "interrupted", Interrupted: true}},
		{"a correction interrupted", context.Background(), drift.CycleReport{Items: []drift.Item{{Result: plans.Interrupted}}}, drift.Verdict{Outcome: "interrupted", Interrupted: true}},
		{"a correction failed", context.Background(), drift.CycleReport{Items: []drift.Item{{Result: plans.Failed}}}, drift.Verdict{Outcome: "failed"}},
		{"a correction not converged", context.Background(), drift.CycleReport{Items: []drift.Item{{Result: plans.Applied}}}, drift.Verdict{Outcome: "failed"}},
		{"a host down", context.Background(), drift.CycleReport{HostErrors: []drift.HostError{{Host: "ex02"}}}, drift.Verdict{Outcome: "failed"}},
		{"an error", context.Background(), drift.CycleReport{Errors: []string{"plan: boom"}}, drift.Verdict{Outcome: "failed"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, cycleVerdict(tt.ctx, tt.rep)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
