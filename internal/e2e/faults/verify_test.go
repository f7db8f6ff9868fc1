package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// changeStatus is the journal's status of one change of run 1.
func (f *fixture) changeStatus(addr string) string {
	j, err := journal.Open(context.Background(), f.state)
	if err != nil {
		return ""
	}
	defer j.Close()
	_, changes, err := j.Run(context.Background(), 1)
	if err != nil {
		return ""
	}
	for _, c := range changes {
		if c.Address == addr {
			return c.Status
		}
	}
	return ""
}

// TestVerificationThatCannotReadSaysSo drops ex02 off the network right
// after its change was made and journaled, while the apply verifies it
// (every answer of ex02 takes 300 ms, so the verification's read is still
// waiting). The change was applied, and the apply must say that it could
// not be verified because ex02 could not be read, not that a new plan
// still wants to change it: nobody could plan it.
func TestVerificationThatCannotReadSaysSo(t *testing.T) {
	f := start(t, "")
	f.plan(t)
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	dropped := make(chan struct{})
	go func() {
		defer close(dropped)
		if waitFor(t, done, func() bool { return f.changeStatus("step.kerberos_log[ex02]") == "applied" }) {
			if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Unreachable: true}); err != nil {
				t.Error(err)
			}
		}
	}()
	got := f.apply(context.Background())
	close(done)
	<-dropped
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{}); err != nil {
		t.Fatal(err)
	}
	if s := f.changeStatus("step.kerberos_log[ex02]"); s != "applied" {
		t.Fatalf("step.kerberos_log[ex02] is %q in the journal, want applied\n%s", s, got)
	}
	if v, _, exists := mustHost(t, f, "ex02").RegistryValue(kerberosKey, "LogLevel"); !exists || v.Data != uint32(1) {
		t.Fatalf("ex02's LogLevel is %v (exists %v), want 1", v.Data, exists)
	}
	var lines []string
	for _, line := range strings.Split(got.stdout, "\n") {
		if strings.Contains(line, "step.kerberos_log[ex02]") {
			lines = append(lines, line)
		}
	}
	report := strings.Join(lines, "\n")
	if strings.Contains(report, "still plans a change") || strings.Contains(report, "a new plan still wants to change it") {
		t.Errorf("the apply says a new plan still wants to change step.kerberos_log[ex02], although verification could not read ex02:\n%s", report)
	}
	if !strings.Contains(report, "connection refused") {
		t.Errorf("the apply does not say why step.kerberos_log[ex02] could not be verified (ex02 refused connections):\n%s", report)
	}
}
