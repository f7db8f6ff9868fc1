//go:build unix

package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/pgtest"
	"github.com/rectifyhq/rectify/operation"
)

// TestTwoProcessesApplyAtOnce starts two real rectify processes applying
// at the same moment, through one journal (a file, then a shared
// PostgreSQL database): on overlapping hosts exactly one changes each host
// and the other is refused naming it; on disjoint hosts both proceed.
func TestTwoProcessesApplyAtOnce(t *testing.T) {
	bin := buildRectify(t)
	backends := []struct {
		name  string
		state func(t *testing.T, f *labFixture) string
	}{
		{"sqlite", func(t *testing.T, f *labFixture) string { return f.state }},
		{"postgres", func(t *testing.T, f *labFixture) string { return pgtest.Database(t).URL }},
	}
	cases := []struct {
		name    string
		limits  [2]string
		overlap bool
	}{
		{"overlapping", [2]string{"ex02", "ex02"}, true},
		{"disjoint", [2]string{"ex01", "ex02"}, false},
	}
	for _, b := range backends {
		for _, c := range cases {
			t.Run(b.name+"/"+c.name, func(t *testing.T) {
				f := startLab(t, lab.KB979174().WithFaults())
				state := b.state(t, f)
				// Slow WinRM keeps each apply running long enough for the
				// other to try its hosts while it holds them.
				for _, h := range []string{"ex01", "ex02"} {
					if err := f.lab.SetWinRMFaults(h, wsman.Faults{Latency: 150 * time.Millisecond}); err != nil {
						t.Fatal(err)
					}
				}
				outs := make([]bytes.Buffer, 2)
				var wg sync.WaitGroup
				for i, limit := range c.limits {
					cmd := exec.Command(bin, "apply", "-auto-approve", "-window-override", "CHG-"+limit, "-inventory", "inventory.hcl",
						"-limit", limit, "-state", state, "exchange-454")
					cmd.Dir = f.dir
					cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
					for k, v := range f.env {
						cmd.Env = append(cmd.Env, k+"="+v)
					}
					cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					wg.Add(1)
					go func() { defer wg.Done(); cmd.Wait() }()
				}
				wg.Wait()

				list := f.rectify(t, "history", "-json", "-state", state)
				var runs []journal.RunRecord
				if err := json.Unmarshal([]byte(list.stdout), &runs); err != nil || len(runs) != 2 {
					t.Fatalf("history: %v\n%s", err, list)
				}
				refused := 0
				appliedOn := map[string]int{}
				for _, r := range runs {
					if r.Outcome == operation.Refused {
						refused++
						if !strings.Contains(r.Summary, "holds the lock on ex02.corp.example.com") {
							t.Errorf("run %d was refused without naming the holder: %s", r.ID, r.Summary)
						}
						continue
					}
					_, changes, err := f.journalRun(t, state, r.ID)
					if err != nil {
						t.Fatal(err)
					}
					hosts := map[string]bool{}
					for _, ch := range changes {
						if ch.Status == "applied" {
							hosts[ch.Host] = true
						}
					}
					for h := range hosts {
						appliedOn[h]++
					}
				}
				want := map[string]int{"ex01": 1, "ex02": 1}
				wantRefused := 0
				if c.overlap {
					want, wantRefused = map[string]int{"ex02": 1}, 1
				}
				if refused != wantRefused || len(appliedOn) != len(want) || appliedOn["ex01"] != want["ex01"] || appliedOn["ex02"] != want["ex02"] {
					t.Errorf("%d refused (want %d); runs that changed each host %v, want %v\nfirst:\n%s\nsecond:\n%s",
						refused, wantRefused, appliedOn, want, outs[0].String(), outs[1].String())
				}
			})
		}
	}
}

// journalRun reads one run of the journal named by state.
func (f *labFixture) journalRun(t *testing.T, state string, id int64) (journal.RunRecord, []journal.ChangeRecord, error) {
	t.Helper()
	got := f.rectify(t, "history", "-json", "-state", state, jsonNumber(id))
	var out struct {
		Run     journal.RunRecord      `json:"run"`
		Changes []journal.ChangeRecord `json:"changes"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &out); err != nil {
		return out.Run, nil, err
	}
	return out.Run, out.Changes, nil
}

func jsonNumber(id int64) string { b, _ := json.Marshal(id); return string(b) }
