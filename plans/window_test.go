package plans

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mustWindow returns a change window or fails the test.
func mustWindow(t testing.TB, start string, d time.Duration, tz string) Window {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWindow(start, d, loc)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWindowBoundaries pins when a window is open: from its start,
// included, to its end, excluded; across daylight saving time in Berlin;
// and for descriptors, whose openings may follow each other without a gap.
func TestWindowBoundaries(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, loc)
	}
	utc := time.UTC
	sat := mustWindow(t, "0 22 * * SAT", 4*time.Hour, "Europe/Berlin")
	// Berlin moves from CET (+1) to CEST (+2) at 02:00 on 29 March 2026,
	// and back at 03:00 on 25 October 2026.
	springNight := mustWindow(t, "0 1 * * SUN", 2*time.Hour, "Europe/Berlin")
	springGap := mustWindow(t, "30 2 * * SUN", time.Hour, "Europe/Berlin")
	autumnRepeat := mustWindow(t, "30 2 * * SUN", time.Hour, "Europe/Berlin")
	autumnNight := mustWindow(t, "0 1 * * SUN", 3*time.Hour, "Europe/Berlin")
	hourly := mustWindow(t, "@hourly", time.Hour, "UTC")
	halfHourly := mustWindow(t, "@hourly", 30*time.Minute, "UTC")
	daily := mustWindow(t, "@daily", 2*time.Hour, "Europe/Berlin")

	tests := []struct {
		name string
		w    Window
		t    time.Time
		open bool
		// next is the next opening when closed.
		next time.Time
	}{
		{"a second before the start", sat, at(2026, 11, 28, 21, 59, 59, berlin), false, at(2026, 11, 28, 22, 0, 0, berlin)},
		{"at the start", sat, at(2026, 11, 28, 22, 0, 0, berlin), true, time.Time{}},
		{"the same instant in UTC", sat, at(2026, 11, 28, 21, 0, 0, utc), true, time.Time{}},
		{"a second before the end", sat, at(2026, 11, 29, 1, 59, 59, berlin), true, time.Time{}},
		{"at the end", sat, at(2026, 11, 29, 2, 0, 0, berlin), false, at(2026, 12, 5, 22, 0, 0, berlin)},
		{"another day", sat, at(2026, 11, 27, 22, 30, 0, berlin), false, at(2026, 11, 28, 22, 0, 0, berlin)},

		// Spring: 01:00 CET is 00:00 UTC; two hours later it is 04:00 CEST.
		{"spring: at the start, before the change", springNight, at(2026, 3, 29, 0, 0, 0, utc), true, time.Time{}},
		{"spring: a second before the end, after the change", springNight, at(2026, 3, 29, 3, 59, 59, berlin), true, time.Time{}},
		{"spring: at the end, two hours after the start", springNight, at(2026, 3, 29, 4, 0, 0, berlin), false, at(2026, 4, 5, 1, 0, 0, berlin)},
		// 02:30 does not exist on 29 March in Berlin: no window that night.
		{"spring: a start in the skipped hour opens nothing", springGap, at(2026, 3, 29, 3, 0, 0, berlin), false, at(2026, 4, 5, 2, 30, 0, berlin)},
		{"spring: the week after opens as usual", springGap, at(2026, 4, 5, 2, 30, 0, berlin), true, time.Time{}},

		// Autumn: 02:30 occurs at 00:30 UTC (CEST) and again at 01:30 UTC
		// (CET); the window opens at the first only.
		{"autumn: at the first 02:30", autumnRepeat, at(2026, 10, 25, 0, 30, 0, utc), true, time.Time{}},
		{"autumn: a second before its end", autumnRepeat, at(2026, 10, 25, 1, 29, 59, utc), true, time.Time{}},
		{"autumn: the repeated 02:30 opens nothing", autumnRepeat, at(2026, 10, 25, 1, 30, 0, utc), false, at(2026, 11, 1, 2, 30, 0, berlin)},
		// 01:00 CEST is 23:00 UTC on Saturday; three hours later is 02:00 UTC,
		// which reads 03:00 CET.
		{"autumn: a second before the end, after the change", autumnNight, at(2026, 10, 25, 1, 59, 59, utc), true, time.Time{}},
		{"autumn: at the end, three hours after the start", autumnNight, at(2026, 10, 25, 2, 0, 0, utc), false, at(2026, 11, 1, 1, 0, 0, berlin)},

		// Openings that follow each other without a gap: the window is open
		// at every instant, the start of each opening included.
		{"@hourly for an hour, at an opening", hourly, at(2026, 6, 1, 10, 0, 0, utc), true, time.Time{}},
		{"@hourly for an hour, a second before one", hourly, at(2026, 6, 1, 9, 59, 59, utc), true, time.Time{}},
		{"@hourly for half an hour, at its end", halfHourly, at(2026, 6, 1, 10, 30, 0, utc), false, at(2026, 6, 1, 11, 0, 0, utc)},
		{"@hourly for half an hour, a second before its end", halfHourly, at(2026, 6, 1, 10, 29, 59, utc), true, time.Time{}},
		{"@daily in Berlin, at midnight there", daily, at(2026, 6, 1, 22, 0, 0, utc), true, time.Time{}},
		{"@daily in Berlin, at its end", daily, at(2026, 6, 2, 2, 0, 0, berlin), false, at(2026, 6, 3, 0, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Open(tt.t); got != tt.open {
				t.Errorf("%s open at %s = %v, want %v", tt.w, tt.t, got, tt.open)
			}
			open, next := InWindows([]Window{tt.w}, tt.t)
			if open != tt.open || !next.Equal(tt.next) {
				t.Errorf("InWindows at %s = %v, next %s; want %v, next %s", tt.t, open, next, tt.open, tt.next)
			}
		})
	}
}

func TestInWindowsOfSeveral(t *testing.T) {
	sat := mustWindow(t, "0 22 * * SAT", 4*time.Hour, "UTC")
	wed := mustWindow(t, "0 20 * * WED", time.Hour, "UTC")
	both := []Window{sat, wed}
	if open, next := InWindows(nil, time.Now()); !open || !next.IsZero() {
		t.Errorf("no windows: open %v, next %v; want always open", open, next)
	}
	mon := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	open, next := InWindows(both, mon)
	if want := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC); open || !next.Equal(want) {
		t.Errorf("Monday: open %v, next %v; want closed until %v", open, next, want)
	}
	if open, _ := InWindows(both, time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)); !open {
		t.Error("Saturday night: closed, want open")
	}
}

func TestWindowJSON(t *testing.T) {
	w := mustWindow(t, "0 22 * * SAT", 4*time.Hour, "Europe/Berlin")
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"start":"0 22 * * SAT","duration":"4h0m0s","timezone":"Europe/Berlin"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back Window
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !back.Open(time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)) {
		t.Error("the decoded window is not open when the original is")
	}

	bad := []struct{ json, want string }{
		{`{"start":"61 * * * *","duration":"1h0m0s","timezone":"UTC"}`, "window start"},
		{`{"start":"@every 1h","duration":"1h0m0s","timezone":"UTC"}`, "interval"},
		{`{"start":"TZ=UTC 0 22 * * SAT","duration":"1h0m0s","timezone":"UTC"}`, "time zone"},
		{`{"start":"0 22 * * SAT","duration":"0s","timezone":"UTC"}`, "more than zero"},
		{`{"start":"0 22 * * SAT","duration":"-1h0m0s","timezone":"UTC"}`, "more than zero"},
		{`{"start":"0 22 * * SAT","duration":"a while","timezone":"UTC"}`, "window duration"},
		{`{"start":"0 22 * * SAT","duration":"1h0m0s","timezone":"Mars/Olympus"}`, "time zone"},
		{`{"start":"0 22 * * SAT","duration":"1h0m0s","timezone":"Local"}`, "depends on the machine"},
		{`{"start":"","duration":"1h0m0s"}`, "window start"},
	}
	for _, tt := range bad {
		var w Window
		err := json.Unmarshal([]byte(tt.json), &w)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one about %q", tt.json, err, tt.want)
		}
	}
}
