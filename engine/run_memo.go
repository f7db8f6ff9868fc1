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
// reads them once, fresh, right before the first change; later reads of
// the run, before or after a change, take them from here instead of
// reading every host of the step again for each batch, which made an
// apply's reads grow with the square of its servers. A host's own reads,
// which name the host alone, are always made again.
//
// What the run may have changed is never served from here: a run that may
// change a host (ops.ScriptRun.Mutates) makes the memo forget that host,
// and a read of it under way then is not kept. Only reads that succeeded
// are kept: a host that failed to answer is asked again next time.
type runMemo struct {
	mu    sync.Mutex
	hosts map[string]*hostMemo
}

// hostMemo is one host's remembered reads and how many times a change
// went to the host since the run began.
type hostMemo struct {
	results    map[string]actions.Result
	generation int
}

type runMemoKey struct{}

// withRunMemo returns ctx carrying a new, empty memo of the run's reads.
func withRunMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, runMemoKey{}, &runMemo{hosts: map[string]*hostMemo{}})
}

// runMemoFrom returns the memo ctx carries, or nil.
func runMemoFrom(ctx context.Context) *runMemo {
	m, _ := ctx.Value(runMemoKey{}).(*runMemo)
	return m
}

func (m *runMemo) host(host string) *hostMemo {
	h, ok := m.hosts[host]
	if !ok {
		h = &hostMemo{results: map[string]actions.Result{}}
		m.hosts[host] = h
	}
	return h
}

// get returns the read key of host if kept, else the host's generation,
// which put must be given back.
func (m *runMemo) get(host, key string) (actions.Result, int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.host(host)
	res, ok := h.results[key]
	return res, h.generation, ok
}

// put keeps a read of host made at generation, unless it failed or a
// change went to the host since.
func (m *runMemo) put(host, key string, generation int, res actions.Result) {
	if res.Err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.host(host); h.generation == generation {
		h.results[key] = res
	}
}

// forget drops what is kept of host: a change may be going to it.
func (m *runMemo) forget(host string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.host(host)
	h.generation++
	clear(h.results)
}
