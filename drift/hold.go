package drift

import (
	"github.com/rectifyhq/rectify/plans"
)

// Reasons a pending change is held back rather than applied.
const (
	HeldBlocked     = "blocked: rectify does not fix this by itself"
	HeldMonitor     = "monitor mode reports drift without correcting it"
	HeldAutoCorrect = "the step has auto_correct = false: never applied unattended"
	HeldFlapping    = "flapping: it came back after repeated corrections; left alone until a person clears it"
	HeldWindow      = "outside the playbook's change windows"
	HeldHost        = "its host could not be read"
)

// hold says why the watcher in mode must not apply in unattended, or ""
// when it may.
func hold(in plans.Instance, mode Mode, autoCorrect map[string]bool, flapping map[string]bool) string {
	switch {
	case in.Change.Action == plans.Blocked:
		return HeldBlocked
	case !autoCorrect[in.Step]:
		return HeldAutoCorrect
	case flapping[in.Address]:
		return HeldFlapping
	case mode == Monitor && !in.Change.Revert:
		return HeldMonitor
	}
	return ""
}
