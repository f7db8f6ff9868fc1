package engine

import (
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// DefaultParallelism is how many hosts are read or changed at once unless
// told otherwise. A plan reads a host in five round trips and spends about
// 5-7 ms of CPU on it: at 10 hosts at once a 1,000-host plan waits on the
// network, at 50 its CPU is the bound on two cores, and 200 were no faster
// than 50 there but took 40% more memory (bench/README.md).
// A playbook bounds how many hosts change at once with its rollout
// batches (serial) as well.
const DefaultParallelism = 50

// Engine plans and applies playbooks. Its zero value plans and applies
// with the defaults below.
type Engine struct {
	// Registry is the registry the input's actions were resolved with. The
	// engine itself takes every action from its Input, also when applying
	// a saved plan, whose action ids it never resolves on its own.
	Registry *actions.Registry
	// Parallelism bounds how many hosts are read or changed at once.
	Parallelism int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Hooks receives progress; nil means none.
	Hooks Hooks
	// Version is the program version recorded in plans.
	Version string
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) hooks() Hooks {
	if e.Hooks != nil {
		return e.Hooks
	}
	return NoHooks{}
}

func (e *Engine) parallelism() int {
	if e.Parallelism > 0 {
		return e.Parallelism
	}
	return DefaultParallelism
}
