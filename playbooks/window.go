package playbooks

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/plans"
)

// Window is a change window block: it opens at each time its cron
// expression names, in its time zone, and stays open for Duration. Rule
// is the window as plans and apply check it, the one implementation of
// when a window is open.
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
	// Rule is the parsed window; the zero Window when the block has
	// errors.
	Rule plans.Window
}
