//go:build unix

package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/operation"
)

// TestHostLocksFollowTheHostsNotTheFile: while a real rectify process
// applies to ex02 through inventory.hcl, a watch cycle in correct mode
// through a copy of that inventory and the apply of a plan that changes
// ex02 among others, through a symlink to it, are refused, naming the
// running apply; an apply to ex01 alone through the symlink goes ahead at
// the same time. The lock is on the
// hosts a run changes, not on the inventory's file name.
func TestHostLocksFollowTheHostsNotTheFile(t *testing.T) {
	bin := buildRectify(t)
	f := startLab(t, lab.KB979174().WithFaults())
	raw, err := os.ReadFile(f.inventory)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "copy.hcl"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f.inventory, filepath.Join(f.dir, "link.hcl")); err != nil {
		t.Fatal(err)
	}
	// The whole fix, planned before anything runs: it changes ex02 too.
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "all.plan", "exchange-454"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Latency: 400 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "apply", "-auto-approve", "-window-override", "CHG-1", "-inventory", "inventory.hcl", "-limit", "ex02", "-state", "journal.db", "exchange-454")
	cmd.Dir = f.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitForOp(t, f, cmd, "ex02", "registry.set")

	watch := f.rectify(t, "watch", "-once", "-mode", "correct", "-inventory", "copy.hcl", "-state", "journal.db", "exchange-454")
	if watch.code != exitRefused || !strings.Contains(watch.stdout, "apply run 1 by ") || !strings.Contains(watch.stdout, "holds the lock on ex02.corp.example.com") {
		t.Errorf("watch through a copy of the inventory while ex02 is being changed:\n%s", watch)
	}
	overlapping := f.rectify(t, "apply", "-window-override", "CHG-2", "-inventory", "link.hcl", "-state", "journal.db", "all.plan")
	if overlapping.code != exitRefused || !strings.Contains(overlapping.stderr, "nothing was changed: another run holds the lock on hosts this run changes: apply run 1 by ") ||
		!strings.Contains(overlapping.stderr, "holds the lock on ex02.corp.example.com since") {
		t.Errorf("the saved plan, through a symlink to the inventory:\n%s", overlapping)
	}
	disjoint := f.rectify(t, "apply", "-auto-approve", "-window-override", "CHG-3", "-inventory", "link.hcl", "-limit", "ex01", "-state", "journal.db", "exchange-454")
	if strings.Contains(disjoint.stderr, "holds the lock") || !strings.Contains(disjoint.stdout, "step.kerberos_log[ex01]: applied") {
		t.Errorf("apply to ex01 alone while ex02 is being changed:\n%s", disjoint)
	}

	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
	}
	// Every run is in the journal: the apply to ex02 ran to its end, the
	// two that overlapped it were refused, the one beside it ran.
	list := f.rectify(t, "history", "-json", "-state", "journal.db")
	var runs []journal.RunRecord
	if err := json.Unmarshal([]byte(list.stdout), &runs); err != nil {
		t.Fatalf("history -json: %v\n%s", err, list)
	}
	outcomes := map[int64]string{}
	for _, r := range runs {
		outcomes[r.ID] = string(r.Kind) + " " + string(r.Outcome)
	}
	if outcomes[1] == "apply refused" || outcomes[1] == "apply running" {
		t.Errorf("the first apply ended %q\n%s", outcomes[1], out.String())
	}
	if outcomes[2] != "watch refused" || outcomes[3] != "apply refused" {
		t.Errorf("the overlapping runs: %q, %q; want both refused", outcomes[2], outcomes[3])
	}
	if strings.HasSuffix(outcomes[4], string(operation.Refused)) {
		t.Errorf("the apply beside it was refused: %q", outcomes[4])
	}
}
