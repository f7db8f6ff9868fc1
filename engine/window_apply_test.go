package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/plans"
)

// TestWindowClosesBetweenPlanAndApply: a plan reviewed inside the window
// is applied a moment later, after the window closed. Apply must judge
// the window by the time it starts, not the plan's: it refuses, names
// the next opening, and touches no host; a moment earlier it applies.
func TestWindowClosesBetweenPlanAndApply(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	windows := []plans.Window{mustWindow(t, "0 22 * * SAT", 4*time.Hour, "Europe/Berlin")}
	// The window of Saturday 28 November 2026 ends on Sunday at 02:00.
	planned := time.Date(2026, 11, 29, 1, 55, 0, 0, berlin)
	closes := time.Date(2026, 11, 29, 2, 0, 0, 0, berlin)
	nextOpens := time.Date(2026, 12, 5, 22, 0, 0, 0, berlin)

	tests := []struct {
		name    string
		applyAt time.Time
		refused bool
	}{
		{name: "the last second of the window", applyAt: closes.Add(-time.Second), refused: false},
		{name: "as the window closes", applyAt: closes, refused: true},
		{name: "an hour later", applyAt: closes.Add(time.Hour), refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			hs := hosts(2)
			fleet := newFakeFleet()
			runs := 0
			e := newEngine(&runs)
			now := planned
			e.Now = func() time.Time { return now }
			in := testInput(hs, &runs)
			in.Windows = windows
			p, err := e.Plan(ctx, in, fleet)
			if err != nil {
				t.Fatal(err)
			}
			if open, _ := plans.InWindows(p.Windows, p.CreatedAt); !open {
				t.Fatalf("the plan was made at %v, outside the window", p.CreatedAt)
			}
			commands := map[string]int{}
			for h, n := range fleet.commands {
				commands[h] = n
			}

			now = tt.applyAt
			res, err := e.Apply(ctx, p, fleet, applyOpts(in))
			if !tt.refused {
				if err != nil || res.Count(plans.Applied) == 0 {
					t.Fatalf("apply inside the window: %v", err)
				}
				return
			}
			var closed *WindowClosedError
			if !errors.As(err, &closed) {
				t.Fatalf("apply at %v, after the window closed at %v: err = %v, want a WindowClosedError", tt.applyAt, closes, err)
			}
			if !closed.Now.Equal(tt.applyAt) || !closed.Next.Equal(nextOpens) {
				t.Errorf("refused at %v with the next window at %v; want %v and %v", closed.Now, closed.Next, tt.applyAt, nextOpens)
			}
			if msg := err.Error(); !strings.Contains(msg, nextOpens.Format(time.RFC3339)) || !strings.Contains(msg, "-window-override") {
				t.Errorf("the refusal %q does not say when the next window opens and how to override", msg)
			}
			if res != nil {
				t.Errorf("a refused apply returned a result: %+v", res)
			}
			if diff := cmp.Diff(commands, fleet.commands); diff != "" {
				t.Errorf("a refused apply ran commands on the hosts (-before +after):\n%s", diff)
			}
			if len(fleet.sets) != 0 || runs != 0 {
				t.Errorf("a refused apply changed something: sets %v, runs %d", fleet.sets, runs)
			}
		})
	}
}
