package engine

import (
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/plans"
)

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
