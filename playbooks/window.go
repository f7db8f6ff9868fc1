package playbooks

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/robfig/cron/v3"

	// Time zones are resolved from the embedded database when the system
	// has none (containers, Windows), so a playbook means the same
	// everywhere.
	_ "time/tzdata"
)

// Window is a change window: it opens at each time its cron expression
// names, in its time zone, and stays open for Duration.
type Window struct {
	// Start is the 5-field cron expression as written ("0 22 * * SAT").
	Start      string
	StartRange hcl.Range
	Duration   time.Duration
	// DurationRange is the range of the duration attribute's value.
	DurationRange hcl.Range
	// Location is the time zone; UTC when none is given.
	Location  *time.Location
	DeclRange hcl.Range

	schedule cron.Schedule
}

// cronParser parses the standard 5-field form and descriptors (@daily,
// @every 15m). Schedules are read in UTC unless a block names a time zone.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Contains reports whether t falls inside one of the window's openings.
func (w *Window) Contains(t time.Time) bool {
	if w.schedule == nil {
		return false
	}
	// An opening s contains t when s <= t < s+Duration, that is, when the
	// first opening after t-Duration is not after t.
	next := w.schedule.Next(t.Add(-w.Duration).In(w.Location))
	return !next.IsZero() && !next.After(t)
}

// Next returns the first opening after t, or the zero time if none.
func (w *Window) Next(t time.Time) time.Time {
	if w.schedule == nil {
		return time.Time{}
	}
	return w.schedule.Next(t.In(w.Location))
}
