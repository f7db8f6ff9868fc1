package engine

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readHooks records each host's end of reads as it is reported.
type readHooks struct {
	NoHooks
	done chan readDone
}

type readDone struct {
	Host        string
	Done, Total int
	Failed      bool
}

func (h readHooks) ReadDone(host string, done, total int, err error) {
	h.done <- readDone{Host: host, Done: done, Total: total, Failed: err != nil}
}

// TestReadProgressIsLive: the progress of a plan's reads is reported as
// each host finishes, while the others are still being read, so that an
// operator watching a plan over many hosts sees it move and sees which
// host it waits for.
func TestReadProgressIsLive(t *testing.T) {
	ctx := context.Background()
	hs := hosts(3)
	fleet := newFakeFleet()
	slow := make(chan struct{})
	fleet.hold["h02"] = slow
	fleet.down["h03"] = true
	runs := 0
	e := newEngine(&runs)
	hooks := readHooks{done: make(chan readDone, 10)}
	e.Hooks = hooks
	planned := make(chan error, 1)
	go func() {
		_, err := e.Plan(ctx, testInput(hs, &runs), fleet)
		planned <- err
	}()

	// h01 and h03 finish while h02's command is still running.
	var early []readDone
	for len(early) < 2 {
		select {
		case d := <-hooks.done:
			early = append(early, d)
		case err := <-planned:
			t.Fatalf("the plan ended (%v) before reporting the hosts that finished", err)
		case <-time.After(30 * time.Second):
			t.Fatalf("no progress while h02 is still being read; reported so far: %v", early)
		}
	}
	if early[0].Host == "h03" {
		early[0], early[1] = early[1], early[0]
	}
	want := []readDone{{Host: "h01", Total: 3}, {Host: "h03", Total: 3, Failed: true}}
	got := []readDone{{Host: early[0].Host, Total: early[0].Total, Failed: early[0].Failed}, {Host: early[1].Host, Total: early[1].Total, Failed: early[1].Failed}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hosts reported while h02 is read (-want +got):\n%s", diff)
	}
	if early[0].Done+early[1].Done != 3 {
		t.Errorf("done counts %d and %d, want 1 and 2", early[0].Done, early[1].Done)
	}

	close(slow)
	if err := <-planned; err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-hooks.done:
		if diff := cmp.Diff(readDone{Host: "h02", Done: 3, Total: 3}, d); diff != "" {
			t.Errorf("last host (-want +got):\n%s", diff)
		}
	default:
		t.Error("h02's end of reads was never reported")
	}
}
