package engine

import (
	"context"
	"sync"

	"github.com/rectifyhq/rectify/actions"
)

// runMemo is what one apply run remembers of its reads over many hosts
// (ShellProbe.Hosts): what a step reads of every target or of every domain
// controller to judge one target (the senders' addresses of a receive
// connector, the DCs' clocks), not the object a change alters. The review
// reads them once, fresh, right before the first change; every later read
// of the run, before or after a change, takes them from here instead of
// reading every host of the step again for each batch, which made an
// apply's reads grow with the square of its servers. A host's own reads,
// which name the host alone, are always made again.
type runMemo struct {
	mu      sync.Mutex
	results map[string]actions.Result
}

type runMemoKey struct{}

// withRunMemo returns ctx carrying a new, empty memo of the run's reads.
func withRunMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, runMemoKey{}, &runMemo{results: map[string]actions.Result{}})
}

// runMemoFrom returns the memo ctx carries, or nil.
func runMemoFrom(ctx context.Context) *runMemo {
	m, _ := ctx.Value(runMemoKey{}).(*runMemo)
	return m
}

func (m *runMemo) get(key string) (actions.Result, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res, ok := m.results[key]
	return res, ok
}

func (m *runMemo) put(key string, res actions.Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.results[key] = res
}
