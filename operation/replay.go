package operation

import (
	"fmt"
	"time"
)

// ReplayError is returned for a plan an earlier run already applied: a
// saved plan is applied once.
type ReplayError struct {
	// RunID is the earlier run, Started when it started and Outcome how
	// it ended.
	RunID   int64
	Started time.Time
	Outcome Outcome
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("this plan was already applied by run %d (started %s, %s); a saved plan is applied once: make a new plan (see rectify history %d)",
		e.RunID, e.Started.Local().Format(time.RFC3339), e.Outcome, e.RunID)
}
