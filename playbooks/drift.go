package playbooks

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/robfig/cron/v3"
)

// DriftMode says what a drift run does with the drift it finds.
type DriftMode string

// The drift modes, after PowerShell DSC's ApplyAndMonitor and
// ApplyAndAutoCorrect.
const (
	// DriftMonitor reports drift and changes nothing.
	DriftMonitor DriftMode = "monitor"
	// DriftCorrect applies the corrections inside change windows.
	DriftCorrect DriftMode = "correct"
)

// Drift is the drift-correction setting of a playbook.
type Drift struct {
	// Schedule is a cron expression ("*/15 * * * *") or a descriptor such
	// as "@hourly" or "@every 15m".
	Schedule      string
	ScheduleRange hcl.Range
	Mode          DriftMode
	ModeRange     hcl.Range
	// Location is the time zone the schedule is read in; UTC when none
	// is given.
	Location  *time.Location
	DeclRange hcl.Range

	schedule cron.Schedule
}

// cronParser parses a drift schedule: the standard 5-field form and
// descriptors (@daily, @every 15m), read in UTC unless the block names a
// time zone.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Next returns the first scheduled run after t, or the zero time.
func (d *Drift) Next(t time.Time) time.Time {
	if d.schedule == nil {
		return time.Time{}
	}
	return d.schedule.Next(t.In(d.Location))
}
