package journal

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// TestDamagedJournalIsRefused: a journal file that is truncated, garbage,
// emptied or has a page overwritten is refused by Open with a
// DamagedError naming the file, so that no command runs without the record
// of earlier changes; the intact file it was copied from opens and keeps
// its memory.
func TestDamagedJournalIsRefused(t *testing.T) {
	ctx := context.Background()
	j, path := openTemp(t)
	expires := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	for i := range 200 {
		run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindApply, Playbook: "exchange-454", Inventory: strings.Repeat("i", 300)})
		if err != nil {
			t.Fatal(err)
		}
		in := plans.Instance{Address: "step.kerberos_log[ex01]", Step: "kerberos_log", Host: "ex01",
			Change: plans.Change{Action: plans.Create, Object: strings.Repeat("o", 200), Expires: expires}}
		if i%2 == 1 {
			in.Address = "step.kerberos_log[ex02]"
		}
		id, err := run.ChangeStarting(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := run.ChangeFinished(ctx, id, plans.ChangeResult{Address: in.Address, Status: plans.Applied, Finished: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 40<<10 {
		t.Fatalf("the journal holds %d bytes; too few pages to damage one in the middle", len(raw))
	}
	garbage := make([]byte, len(raw))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	overwritten := bytes.Clone(raw)
	mid := len(raw) / 2 / 4096 * 4096
	copy(overwritten[mid:mid+4096], bytes.Repeat([]byte{0xA5}, 4096))

	tests := []struct {
		name    string
		content []byte
		damaged bool
	}{
		{"intact", raw, false},
		{"truncated to half", raw[:len(raw)/2], true},
		{"truncated to one page", raw[:4096], true},
		{"empty", nil, true},
		{"garbage", garbage, true},
		{"a page overwritten", overwritten, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "journal.db")
			if err := os.WriteFile(p, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := Open(ctx, p)
			if !tt.damaged {
				if err != nil {
					t.Fatal(err)
				}
				defer j.Close()
				mem, err := j.Memory(ctx, "exchange-454")
				if err != nil || len(mem) != 2 || mem["step.kerberos_log[ex01]"].Expires.IsZero() {
					t.Errorf("the intact journal's memory: %v, %v", mem, err)
				}
				return
			}
			if err == nil {
				j.Close()
				t.Fatal("Open accepted the damaged journal")
			}
			var d *DamagedError
			if !errors.As(err, &d) || d.Path != p || !strings.Contains(err.Error(), p) {
				t.Errorf("Open: %v, want a DamagedError naming %s", err, p)
			}
			after, _ := os.ReadFile(p)
			if !bytes.Equal(after, tt.content) {
				t.Error("Open changed the damaged file")
			}
		})
	}
}
