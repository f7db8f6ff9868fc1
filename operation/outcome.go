package operation

// Outcome is how a run ended, as the journal records it.
type Outcome string

// The outcomes of a run. A run whose process died keeps Running; history
// shows it as unfinished.
const (
	Running     Outcome = "running"
	Succeeded   Outcome = "succeeded"
	Failed      Outcome = "failed"
	Interrupted Outcome = "interrupted"
	Refused     Outcome = "refused"
	// NotConverged: every change was applied and none failed, but some
	// did not converge or could not be verified (StatusUnverified).
	NotConverged Outcome = "not-converged"
)

// Status is what the end of an operation means for whoever started it,
// one value per thing a script must tell apart; its number is the exit
// status of the command.
type Status int

// The statuses. 2 is left to plan -detailed-exitcode, which exits 2 when
// a plan has changes, as Terraform's does.
const (
	// StatusOK: nothing to do, or every change was applied and verified.
	StatusOK Status = 0
	// StatusError: an error before any change; nothing was changed.
	StatusError Status = 1
	// StatusFailed: changes were made and some failed, were left stale or
	// differing, or the run stopped (interrupted, max_fail) before its end.
	StatusFailed Status = 3
	// StatusUnverified: every change was applied, but some did not
	// converge or could not be verified.
	StatusUnverified Status = 4
	// StatusRefused: refused before any change: outside the change
	// windows, hosts locked by another run, or a plan that is stale (made
	// too long ago, or its targets moved), forged, or already applied.
	StatusRefused Status = 5
)

// String names the status.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusError:
		return "error before any change"
	case StatusFailed:
		return "changes failed"
	case StatusUnverified:
		return "applied, not verified"
	case StatusRefused:
		return "refused"
	}
	return "unknown"
}
