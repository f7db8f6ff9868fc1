package drift

import (
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/plans"
)

// Item is one change a cycle found pending: a drifted instance, a blocked
// finding, an expired temporary value, or a change a trigger calls for.
type Item struct {
	Address string
	Step    string
	Host    string
	Action  plans.Action
	Object  string
	Reason  string
	// FirstSeen is when the journal first saw this drift (zero for
	// triggered changes, which are not drift).
	FirstSeen time.Time
	Flapping  bool
	Triggered bool
	// Revert marks the revert of an expired temporary value.
	Revert bool
	// Held says why the change was not applied in this cycle; "" when it
	// was attempted.
	Held string
	// Result is how the attempt ended (plans.Applied ...), "" when none
	// was made; Error says why it failed.
	Result    plans.Status
	Error     string
	Converged bool
}

// Corrected reports whether the item was applied and verified.
func (it Item) Corrected() bool { return it.Result == plans.Applied && it.Converged }

// HostError is a host a cycle could not read.
type HostError struct {
	Host  string
	Error string
}

// CycleReport is what one cycle found and did.
type CycleReport struct {
	// RunID is the cycle's run in the journal (0 when none was recorded).
	RunID    int64
	Playbook string
	Mode     Mode
	Started  time.Time
	Finished time.Time
	// Outcome is the journal's outcome of the run: succeeded, failed,
	// interrupted, or refused for a skipped cycle; OK is set when it
	// succeeded.
	Outcome string
	OK      bool
	Summary string
	// Skipped says why the cycle did not run: another run held the lock.
	Skipped string
	// WindowOpen says whether a change window was open; NextWindow is when
	// the next one opens otherwise.
	WindowOpen bool
	NextWindow time.Time
	Items      []Item
	HostErrors []HostError
	// Errors are instances that could not be planned, and cycle-level
	// failures (the playbook did not load, the journal failed).
	Errors []string
}

// Pending returns the items still pending after the cycle.
func (r CycleReport) Pending() []Item {
	var out []Item
	for _, it := range r.Items {
		if !it.Corrected() {
			out = append(out, it)
		}
	}
	return out
}

// Count returns how many items satisfy f.
func (r CycleReport) Count(f func(Item) bool) int {
	n := 0
	for _, it := range r.Items {
		if f(it) {
			n++
		}
	}
	return n
}

// summarize says in one line what the cycle found and did.
func (r CycleReport) summarize() string {
	if r.Skipped != "" {
		return "skipped: " + r.Skipped
	}
	var parts []string
	drifted := r.Count(func(it Item) bool { return !it.Triggered && it.Action != plans.Blocked })
	blocked := r.Count(func(it Item) bool { return it.Action == plans.Blocked })
	corrected := r.Count(Item.Corrected)
	failed := r.Count(func(it Item) bool { return it.Result != "" && !it.Corrected() })
	flapping := r.Count(func(it Item) bool { return it.Flapping })
	if drifted == 0 && blocked == 0 {
		parts = append(parts, "no drift")
	} else {
		parts = append(parts, fmt.Sprintf("%d drifted", drifted))
	}
	if blocked > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked", blocked))
	}
	if corrected > 0 {
		parts = append(parts, fmt.Sprintf("%d corrected", corrected))
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d correction(s) failed", failed))
	}
	if flapping > 0 {
		parts = append(parts, fmt.Sprintf("%d flapping", flapping))
	}
	if n := len(r.HostErrors); n > 0 {
		parts = append(parts, fmt.Sprintf("%d host(s) unreachable", n))
	}
	if n := len(r.Errors); n > 0 {
		parts = append(parts, fmt.Sprintf("%d error(s)", n))
	}
	s := strings.Join(parts, ", ")
	if !r.WindowOpen && !r.NextWindow.IsZero() && len(r.Pending()) > 0 {
		s += "; outside the change windows until " + r.NextWindow.UTC().Format(time.RFC3339)
	}
	return s
}
