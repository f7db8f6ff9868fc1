package drift

import (
	"errors"
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/playbooks"
)

// Flags are the command line's say on schedule and mode; empty fields
// defer to the playbook's drift block.
type Flags struct {
	// Schedule is a cron line or descriptor (-schedule).
	Schedule string
	// Every is an interval (-every).
	Every time.Duration
	// Mode is "monitor" or "correct" (-mode).
	Mode string
}

// Settings are the schedule and mode a watcher runs with.
type Settings struct {
	Schedule Schedule
	// Spec says in words where the schedule came from, for logs.
	Spec string
	Mode Mode
}

// ResolveSettings combines the command line and the playbook's drift block
// (nil when it has none): the command line wins, the mode defaults to
// monitor, and a schedule must come from one of them.
func ResolveSettings(f Flags, pb *playbooks.Drift) (Settings, error) {
	var s Settings
	loc := time.UTC
	if pb != nil && pb.Location != nil {
		loc = pb.Location
	}
	switch {
	case f.Schedule != "" && f.Every != 0:
		return s, errors.New("give -schedule or -every, not both")
	case f.Every < 0:
		return s, fmt.Errorf("-every %s: the interval must be positive", f.Every)
	case f.Every > 0:
		s.Schedule, s.Spec = Every(f.Every), "every "+f.Every.String()
	case f.Schedule != "":
		sched, err := ParseSchedule(f.Schedule, loc)
		if err != nil {
			return s, err
		}
		s.Schedule, s.Spec = sched, f.Schedule
	case pb != nil && pb.Schedule != "":
		sched, err := ParseSchedule(pb.Schedule, loc)
		if err != nil {
			return s, err
		}
		s.Schedule, s.Spec = sched, pb.Schedule+" (from the playbook)"
	default:
		return s, errors.New("no schedule: give -schedule or -every, or a drift block with a schedule in the playbook")
	}
	if loc != time.UTC && f.Every == 0 {
		s.Spec += " in " + loc.String()
	}
	m, err := ResolveMode(f.Mode, pb)
	if err != nil {
		return s, err
	}
	s.Mode = m
	return s, nil
}

// ResolveMode returns the mode the command line gives (-mode), else the
// playbook's drift block's (pb may be nil), else Monitor.
func ResolveMode(flag string, pb *playbooks.Drift) (Mode, error) {
	switch {
	case flag != "":
		return ParseMode(flag)
	case pb != nil && pb.Mode != "":
		return ParseMode(string(pb.Mode))
	}
	return Monitor, nil
}
