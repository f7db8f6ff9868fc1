package faults

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/testenv"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/ops"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory and returns
// it. Mounting needs CAP_SYS_ADMIN, which CI's root has: without it the
// test is skipped on a developer machine and fails under CI.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		if errors.Is(err, syscall.EPERM) {
			testenv.Unavailable(t, "CAP_SYS_ADMIN", "mounting a tmpfs needs it (run the tests as root outside an unprivileged container): "+err.Error())
		}
		t.Fatalf("mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fill writes to path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			return
		}
	}
}

// TestJournalOnAFullDisk applies the example playbook with its journal on
// a small tmpfs that fills up while the change on ex02 is under way (every
// answer of ex02 takes 300 ms, and the disk fills once ex02 runs the
// change's registry.set, before its answer). The change lands, but its outcome cannot be
// written: the journal keeps it in flight, the apply says so and starts
// nothing more, and once there is room again history shows every earlier
// change with its outcome and a new plan shows exactly what remains.
func TestJournalOnAFullDisk(t *testing.T) {
	f := start(t, "")
	disk := mountTmpfs(t, "4m")
	f.state = filepath.Join(disk, "journal.db")
	if got := changing(f.plan(t)); !equal(got, planned) {
		t.Fatalf("the plan changes %v, want %v", got, planned)
	}
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(disk, "filler")
	done := make(chan struct{})
	filled := make(chan struct{})
	go func() {
		defer close(filled)
		// The change was journaled as starting before its command was
		// sent; its answer is held 300 ms by the latency.
		if waitFor(t, done, func() bool { return f.received("ex02", ops.RegistrySet) >= 1 }) {
			fill(t, filler)
		}
	}()
	got := f.rectify(context.Background(), "apply", "-state", f.state, "-window-override", "fault suite", "fix.plan")
	close(done)
	<-filled
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{}); err != nil {
		t.Fatal(err)
	}
	// Changes were made before the journal filled up: exit 3.
	if got.code != 3 {
		t.Errorf("apply exit code %d, want 3 (changes made, some failed)", got.code)
	}
	for _, want := range []string{"step.kerberos_log[ex02]", "the journal could not record the outcome", "the journal could not record a change's outcome"} {
		if !strings.Contains(got.stdout+got.stderr, want) {
			t.Errorf("the apply output lacks %q:\n%s", want, got)
		}
	}
	if n := f.received("ex02", ops.RegistrySet); n != 1 {
		t.Errorf("ex02 received %d registry.set, want 1", n)
	}
	if n := f.received("ex02", ops.ConnectorAddAuth); n != 0 {
		t.Errorf("the run changed ex02's connector after the journal failed (%d times)", n)
	}

	// Room again: what does the journal hold?
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	rec, changes := f.history(t, "1")
	gotStatus := map[string]string{}
	for _, c := range changes {
		gotStatus[c.Address] = c.Status
	}
	want := union(beforeEx02, map[string]string{"step.kerberos_log[ex02]": journal.InFlight})
	if !equalMaps(want, gotStatus) {
		t.Errorf("journaled changes: got %v, want %v", gotStatus, want)
	}
	if rec.Outcome == operation.Succeeded {
		t.Errorf("the run is journaled as %s", rec.Outcome)
	}
	f.checkNoRepeats(t)
	remaining := sorted("step.connector[ex02]", "step.queues[ex01]", "step.queues[ex02]", "step.tickets[ex01]")
	if got := f.replan(t); !equal(got, remaining) {
		t.Errorf("a new plan changes %v, want %v", got, remaining)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
