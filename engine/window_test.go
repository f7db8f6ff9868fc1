package engine

import (
	"testing"
	"time"

	"github.com/rectifyhq/rectify/plans"
)

func TestInWindow(t *testing.T) {
	sat := []plans.Window{{Start: "0 22 * * SAT", Duration: "4h", Timezone: "Europe/Berlin"}}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatalf("no time zone data (the playbooks package embeds time/tzdata): %v", err)
	}
	tests := []struct {
		name    string
		windows []plans.Window
		at      time.Time
		want    bool
	}{
		{"no windows means always", nil, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), true},
		{"at the start", sat, time.Date(2026, 11, 28, 22, 0, 0, 0, berlin), true},
		{"inside, past midnight", sat, time.Date(2026, 11, 29, 1, 59, 0, 0, berlin), true},
		{"at the end", sat, time.Date(2026, 11, 29, 2, 0, 0, 0, berlin), false},
		{"before", sat, time.Date(2026, 11, 28, 21, 59, 0, 0, berlin), false},
		{"weekday", sat, time.Date(2026, 11, 25, 23, 0, 0, 0, berlin), false},
		{"same instant in UTC", sat, time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		got, next, err := InWindow(tt.windows, tt.at)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: InWindow = %v, want %v", tt.name, got, tt.want)
		}
		if !got && next.Before(tt.at) {
			t.Errorf("%s: next window %v is before %v", tt.name, next, tt.at)
		}
	}
	if _, _, err := InWindow([]plans.Window{{Start: "61 * * * *", Duration: "1h"}}, time.Now()); err == nil {
		t.Error("a bad cron line was accepted")
	}
}
