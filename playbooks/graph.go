package playbooks

import (
	"container/heap"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// graph is a dependency graph over named nodes in source order: an edge
// from a to b means a needs b first.
type graph struct {
	names []string
	index map[string]int
	edges [][]edge
}

// edge is one dependency and the range of the reference that made it.
type edge struct {
	to  int
	rng hcl.Range
}

func newGraph(names []string) *graph {
	g := &graph{names: names, index: map[string]int{}, edges: make([][]edge, len(names))}
	for i, n := range names {
		g.index[n] = i
	}
	return g
}

// add records that from needs to, once per pair.
func (g *graph) add(from, to string, rng hcl.Range) {
	f, ok1 := g.index[from]
	t, ok2 := g.index[to]
	if !ok1 || !ok2 {
		return
	}
	for _, e := range g.edges[f] {
		if e.to == t {
			return
		}
	}
	g.edges[f] = append(g.edges[f], edge{to: t, rng: rng})
}

// cycle is one cycle of the graph: the node indexes in order (the first
// not repeated at the end), and the range of the reference from the first
// node to the second.
type cycle struct {
	nodes []int
	rng   hcl.Range
	// members are all nodes of the strongly connected component the cycle
	// lies in, which may be more than the cycle itself.
	members []int
}

// describe renders the cycle as "prefix.a -> prefix.b -> prefix.a".
func (c cycle) describe(g *graph, prefix string) string {
	parts := make([]string, 0, len(c.nodes)+1)
	for _, n := range c.nodes {
		parts = append(parts, prefix+g.names[n])
	}
	parts = append(parts, prefix+g.names[c.nodes[0]])
	return strings.Join(parts, " -> ")
}

// cycles returns one cycle per strongly connected component that has one,
// starting at the component's first node in source order (Tarjan's
// algorithm, iterative so that long chains cannot exhaust the stack).
func (g *graph) cycles() []cycle {
	n := len(g.names)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out []cycle
	next := 0
	type frame struct{ v, ei int }
	for root := 0; root < n; root++ {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.ei < len(g.edges[f.v]) {
				w := g.edges[f.v][f.ei].to
				f.ei++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 || g.hasEdge(comp[0], comp[0]) {
				sort.Ints(comp)
				out = append(out, g.cycleIn(comp))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].nodes[0] < out[j].nodes[0] })
	return out
}

func (g *graph) hasEdge(from, to int) bool {
	for _, e := range g.edges[from] {
		if e.to == to {
			return true
		}
	}
	return false
}

// cycleIn finds the shortest cycle through the first node of a strongly
// connected component, by breadth-first search inside the component.
func (g *graph) cycleIn(comp []int) cycle {
	in := map[int]bool{}
	for _, c := range comp {
		in[c] = true
	}
	start := comp[0]
	prev := map[int]int{}
	queue := []int{start}
	seen := map[int]bool{start: true}
	for len(queue) > 0 && !seen[-1] {
		v := queue[0]
		queue = queue[1:]
		for _, e := range g.edges[v] {
			if e.to == start {
				prev[-1] = v
				seen[-1] = true
				break
			}
			if in[e.to] && !seen[e.to] {
				seen[e.to] = true
				prev[e.to] = v
				queue = append(queue, e.to)
			}
		}
	}
	// Walk back from the node that closes the cycle.
	var rev []int
	for v := prev[-1]; v != start; v = prev[v] {
		rev = append(rev, v)
	}
	nodes := []int{start}
	for i := len(rev) - 1; i >= 0; i-- {
		nodes = append(nodes, rev[i])
	}
	second := start
	if len(nodes) > 1 {
		second = nodes[1]
	}
	var rng hcl.Range
	for _, e := range g.edges[start] {
		if e.to == second {
			rng = e.rng
			break
		}
	}
	return cycle{nodes: nodes, rng: rng, members: comp}
}

// order returns the node names so that every node comes after the nodes it
// needs, ties in source order. Nodes on or behind a cycle come last, in
// source order.
func (g *graph) order() []string {
	n := len(g.names)
	pending := make([]int, n)
	needers := make([][]int, n)
	for v, es := range g.edges {
		pending[v] = len(es)
		for _, e := range es {
			needers[e.to] = append(needers[e.to], v)
		}
	}
	done := make([]bool, n)
	ready := &intHeap{}
	for v := 0; v < n; v++ {
		if pending[v] == 0 {
			heap.Push(ready, v)
		}
	}
	var out []string
	for ready.Len() > 0 {
		next := heap.Pop(ready).(int)
		done[next] = true
		out = append(out, g.names[next])
		for _, w := range needers[next] {
			pending[w]--
			if pending[w] == 0 {
				heap.Push(ready, w)
			}
		}
	}
	for v := 0; v < n; v++ {
		if !done[v] {
			out = append(out, g.names[v])
		}
	}
	return out
}

// needs returns the names of the nodes name needs, in the order the
// references appear.
func (g *graph) needs(name string) []string {
	v, ok := g.index[name]
	if !ok {
		return nil
	}
	var out []string
	for _, e := range g.edges[v] {
		out = append(out, g.names[e.to])
	}
	return out
}

// intHeap is a min-heap of node indexes: the ready node first in source
// order comes out first.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
