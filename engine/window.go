package engine

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/plans"
)

// cronParser reads standard five-field cron lines and descriptors (@daily).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// WindowClosedError is returned when apply is asked to change hosts outside
// every change window of the playbook.
type WindowClosedError struct {
	Now     time.Time
	Windows []plans.Window
	// Next is the start of the next window, if one could be computed.
	Next time.Time
}

func (e *WindowClosedError) Error() string {
	msg := fmt.Sprintf("outside the playbook's change windows at %s", e.Now.Format(time.RFC3339))
	if !e.Next.IsZero() {
		msg += fmt.Sprintf("; the next window opens at %s", e.Next.Format(time.RFC3339))
	}
	return msg + "; use -window-override \"<reason>\" to apply anyway (the reason is journaled)"
}

// InWindow reports whether t lies in one of windows (no windows means
// always), and when the next window opens otherwise.
func InWindow(windows []plans.Window, t time.Time) (bool, time.Time, error) {
	if len(windows) == 0 {
		return true, time.Time{}, nil
	}
	var next time.Time
	for _, w := range windows {
		open, start, err := windowOpen(w, t)
		if err != nil {
			return false, time.Time{}, err
		}
		if open {
			return true, time.Time{}, nil
		}
		if next.IsZero() || start.Before(next) {
			next = start
		}
	}
	return false, next, nil
}

// windowOpen reports whether t lies in w, and otherwise when w next opens.
func windowOpen(w plans.Window, t time.Time) (bool, time.Time, error) {
	sched, err := cronParser.Parse(w.Start)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("window start %q: %w", w.Start, err)
	}
	d, err := lang.ParseDuration(w.Duration)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("window duration: %w", err)
	}
	loc := time.UTC
	if w.Timezone != "" {
		if loc, err = time.LoadLocation(w.Timezone); err != nil {
			return false, time.Time{}, fmt.Errorf("window time zone %q: %w", w.Timezone, err)
		}
	}
	local := t.In(loc)
	// The last start at or before t, if it lies within d of t, opened a
	// window that is still open.
	start := sched.Next(local.Add(-d).Add(-time.Second))
	if !start.After(local) && local.Before(start.Add(d)) {
		return true, time.Time{}, nil
	}
	return false, sched.Next(local), nil
}
