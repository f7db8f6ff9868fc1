package ops

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestItemBracket checks how a batch item's timing narrows the span of its
// command, and that timings which cannot hold leave the span whole rather
// than bracket a moment that is not the item's.
func TestItemBracket(t *testing.T) {
	sent := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	received := sent.Add(2 * time.Second)
	ms := func(n int) time.Time { return sent.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name          string
		before, after int64
		from, to      time.Time
	}{
		{"untimed", 0, 0, sent, received},
		{"first, before a slow item", 0, 1_900_000, sent, ms(100)},
		{"after a slow item", 1_800_000, 100_000, ms(1800), ms(1900)},
		{"the whole span", 1_000_000, 1_000_000, ms(1000), ms(1000)},
		{"longer than the command", 1_500_000, 600_000, sent, received},
		{"after longer than the command", 0, 2_000_001, sent, received},
		{"negative before", -1, 0, sent, received},
		{"negative after", 0, -1, sent, received},
		{"overflowing", 1 << 62, 1 << 62, sent, received},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := ItemBracket(sent, received, tc.before, tc.after)
			if diff := cmp.Diff([]time.Time{tc.from, tc.to}, []time.Time{from, to}); diff != "" {
				t.Errorf("bracket (-want +got):\n%s", diff)
			}
		})
	}
}
