package engine

import (
	"github.com/rectifyhq/rectify/plans"
)

// Hooks receives the engine's progress, for views to show. Calls may come
// from several goroutines at once; implementations must be safe for that.
type Hooks interface {
	// ReadDone reports that the reads of one host finished (done of total),
	// as each host's command ends, while the others are still read: by a
	// plan, and by apply's read of every host before it changes any.
	ReadDone(host string, done, total int, err error)
	// ChangeStarting reports a change about to be made.
	ChangeStarting(in plans.Instance)
	// ChangeDone reports a change's outcome.
	ChangeDone(in plans.Instance, res plans.ChangeResult)
	// BatchVerified reports the verification of one rollout batch.
	BatchVerified(step string, hosts []string, notConverged []string)
}

// NoHooks ignores everything. Embed it to implement only some hooks.
type NoHooks struct{}

var _ Hooks = NoHooks{}

// ReadDone implements Hooks.
func (NoHooks) ReadDone(string, int, int, error) {}

// ChangeStarting implements Hooks.
func (NoHooks) ChangeStarting(plans.Instance) {}

// ChangeDone implements Hooks.
func (NoHooks) ChangeDone(plans.Instance, plans.ChangeResult) {}

// BatchVerified implements Hooks.
func (NoHooks) BatchVerified(string, []string, []string) {}

// ReadStartHook is implemented by hooks that want to hear when the read of
// a host starts (one of total hosts), so that they can say which hosts are
// still being read while one is slow or hangs.
type ReadStartHook interface {
	ReadStarting(host string, total int)
}
