package plans

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	// Time zones are resolved from the embedded database when the system
	// has none (containers, Windows), so that a window means the same
	// everywhere.
	_ "time/tzdata"
)

// Window is one change window: it opens at each time its schedule names,
// read in its time zone, and stays open for its duration. It holds the
// parsed schedule; its JSON form is the schedule as written, the duration
// and the time zone's name, and decoding it validates all three, so a
// plan never carries a window that cannot be checked.
//
// An opening s contains the instants s <= t < s+duration. The duration is
// elapsed time, not wall-clock time: a 4h window that spans a change of
// daylight saving time is open for four hours. Around such a change:
//   - a start time that does not exist that day (02:30 in Berlin on the
//     last Sunday of March) opens no window that day;
//   - a start time that occurs twice (02:30 on the last Sunday of
//     October) opens the window once, at its first occurrence.
type Window struct {
	start    string
	schedule cron.Schedule
	duration time.Duration
	location *time.Location
}

// windowParser reads five cron fields and the calendar descriptors
// (@daily, @weekly ...).
var windowParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NewWindow returns the window opening at each time start (five cron
// fields, or a calendar descriptor such as "@daily") names in loc (nil
// means UTC), open for d.
func NewWindow(start string, d time.Duration, loc *time.Location) (Window, error) {
	if loc == nil {
		loc = time.UTC
	}
	sched, err := ParseWindowStart(start)
	if err != nil {
		return Window{}, fmt.Errorf("window start %q: %w", start, err)
	}
	if d <= 0 {
		return Window{}, fmt.Errorf("window duration %s: a change window must stay open for more than zero time", d)
	}
	sched.Location = loc
	return Window{start: start, schedule: sched, duration: d, location: loc}, nil
}

// ParseWindowStart parses a window's opening schedule: five cron fields
// or a calendar descriptor, never an interval (@every), and without a
// time zone of its own (the window's time zone is given apart).
func ParseWindowStart(s string) (*cron.SpecSchedule, error) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "@every"):
		return nil, errors.New("an interval is not a time of day; use five fields")
	case strings.HasPrefix(t, "TZ=") || strings.HasPrefix(t, "CRON_TZ="):
		return nil, errors.New("set the time zone with the timezone attribute")
	}
	sched, err := windowParser.Parse(t)
	if err != nil {
		return nil, err
	}
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok {
		return nil, errors.New("not a calendar schedule")
	}
	return spec, nil
}

// Start returns the schedule as written ("0 22 * * SAT").
func (w Window) Start() string { return w.start }

// Duration returns how long the window stays open.
func (w Window) Duration() time.Duration { return w.duration }

// Location returns the time zone the schedule is read in.
func (w Window) Location() *time.Location {
	if w.location == nil {
		return time.UTC
	}
	return w.location
}

// Open reports whether t lies in one of the window's openings.
func (w Window) Open(t time.Time) bool {
	if w.schedule == nil {
		return false
	}
	// The openings that contain t are those after t-duration and not after
	// t: there is one when the first opening after t-duration is not after
	// t.
	s := w.next(t.Add(-w.duration))
	return !s.IsZero() && !s.After(t)
}

// Next returns the first opening after t, or the zero time if none.
func (w Window) Next(t time.Time) time.Time {
	if w.schedule == nil {
		return time.Time{}
	}
	return w.next(t)
}

// next returns the first opening after t that is not the second
// occurrence of a wall-clock time (the hour a change from daylight saving
// time repeats).
func (w Window) next(t time.Time) time.Time {
	s := w.schedule.Next(t.In(w.Location()))
	for i := 0; i < 4 && !s.IsZero() && repeated(s); i++ {
		s = w.schedule.Next(s)
	}
	return s
}

// repeated reports whether the wall-clock time of s already occurred
// earlier the same day, with another offset from UTC.
func repeated(s time.Time) bool {
	_, now := s.Zone()
	_, before := s.Add(-3 * time.Hour).Zone()
	shift := before - now
	if shift <= 0 {
		return false
	}
	earlier := s.Add(-time.Duration(shift) * time.Second)
	return earlier.Hour() == s.Hour() && earlier.Minute() == s.Minute() && earlier.Second() == s.Second() && earlier.Day() == s.Day()
}

// Equal reports whether w and o are the same window: the same schedule as
// written, duration and time zone.
func (w Window) Equal(o Window) bool {
	return w.start == o.start && w.duration == o.duration && w.Location().String() == o.Location().String()
}

// windowJSON is a window's JSON form.
type windowJSON struct {
	Start    string `json:"start"`
	Duration string `json:"duration"`
	Timezone string `json:"timezone,omitempty"`
}

// MarshalJSON writes the window as its schedule, duration and time zone.
func (w Window) MarshalJSON() ([]byte, error) {
	if w.schedule == nil {
		return nil, errors.New("encode an empty change window")
	}
	return json.Marshal(windowJSON{Start: w.start, Duration: w.duration.String(), Timezone: w.Location().String()})
}

// UnmarshalJSON reads and validates a window, refusing a schedule,
// duration or time zone that cannot be checked.
func (w *Window) UnmarshalJSON(b []byte) error {
	var j windowJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d, err := time.ParseDuration(j.Duration)
	if err != nil {
		return fmt.Errorf("window duration %q: %w", j.Duration, err)
	}
	loc := time.UTC
	if j.Timezone != "" {
		if j.Timezone == "Local" {
			return errors.New(`window time zone "Local" depends on the machine`)
		}
		if loc, err = time.LoadLocation(j.Timezone); err != nil {
			return fmt.Errorf("window time zone %q: %w", j.Timezone, err)
		}
	}
	parsed, err := NewWindow(j.Start, d, loc)
	if err != nil {
		return err
	}
	*w = parsed
	return nil
}

// String returns the window as a person reads it: "0 22 * * SAT for 4h0m0s
// (Europe/Berlin)".
func (w Window) String() string {
	return fmt.Sprintf("%s for %s (%s)", w.start, w.duration, w.Location())
}

// InWindows reports whether t lies in one of windows (no windows means
// always), and otherwise when the next one opens (zero if none will).
func InWindows(windows []Window, t time.Time) (open bool, next time.Time) {
	if len(windows) == 0 {
		return true, time.Time{}
	}
	for _, w := range windows {
		if w.Open(t) {
			return true, time.Time{}
		}
		if n := w.Next(t); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return false, next
}
