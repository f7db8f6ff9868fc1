package operation

import (
	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/plans"
)

// CycleStatus is what a drift cycle's end means for whoever started it
// (rectify watch -once), as Result.Status is for an apply: a skipped
// cycle was refused (another run holds its hosts); a correction that did
// not take (failed, stale, differing, interrupted, or made but not
// converged, which the cycle counts as failed too) or any error, after a
// correction was made, is a failure; the same with no correction made is
// an error. Drift found and only reported is no failure: the cycle did
// what it was asked.
func CycleStatus(rep drift.CycleReport) Status {
	made := rep.Count(func(it drift.Item) bool { return it.Result == plans.Applied })
	untaken := rep.Count(func(it drift.Item) bool { return it.Result != "" && it.Result != plans.Skipped && !it.Corrected() })
	troubled := untaken > 0 || len(rep.Errors) > 0 || len(rep.HostErrors) > 0 || !rep.OK
	switch {
	case rep.Skipped != "":
		return StatusRefused
	case troubled && made > 0:
		return StatusFailed
	case troubled:
		return StatusError
	}
	return StatusOK
}
