//go:build unix

package journal

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// TestJournalFilesAreOwnerOnly opens a new journal under a permissive
// umask, writes a run and a change while it is open (SQLite then has its
// -wal and -shm files), and finds every file readable by its owner only;
// a journal left 0644 by an older build is tightened when opened.
func TestJournalFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	j, path := openTemp(t)
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.ChangeStarting(ctx, plans.Instance{Address: "step.a[h]", Step: "a", Host: "h", Change: plans.Change{Action: plans.Create}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v (the journal should be open in WAL mode)", filepath.Base(p), err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
	j.Close()

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != fs.FileMode(0o600) {
		t.Errorf("a journal left 0644 is %v after it was opened, want 0600 (%v)", st.Mode().Perm(), err)
	}
}
