package playbooks

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestGraphCyclesAndOrder(t *testing.T) {
	type edge struct{ from, to string }
	tests := []struct {
		name   string
		nodes  []string
		edges  []edge
		cycles []string
		order  []string
	}{{
		name:  "chain",
		nodes: []string{"c", "b", "a"},
		edges: []edge{{"c", "b"}, {"b", "a"}},
		order: []string{"a", "b", "c"},
	}, {
		name:   "two cycles sharing a node",
		nodes:  []string{"a", "b", "c", "d", "e"},
		edges:  []edge{{"a", "b"}, {"b", "a"}, {"b", "c"}, {"c", "b"}, {"d", "e"}},
		cycles: []string{"x.a -> x.b -> x.a. x.c is part of the same knot."},
		order:  []string{"e", "d", "a", "b", "c"},
	}, {
		name:   "separate cycles",
		nodes:  []string{"a", "b", "c", "d", "e"},
		edges:  []edge{{"a", "c"}, {"c", "e"}, {"e", "a"}, {"b", "d"}, {"d", "b"}},
		cycles: []string{"x.a -> x.c -> x.e -> x.a.", "x.b -> x.d -> x.b."},
		order:  []string{"a", "b", "c", "d", "e"},
	}, {
		name:  "ties keep source order",
		nodes: []string{"z", "y", "x", "w"},
		edges: []edge{{"z", "w"}},
		order: []string{"y", "x", "w", "z"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraph(tt.nodes)
			for _, e := range tt.edges {
				g.add(e.from, e.to, hcl.Range{})
			}
			var cycles []string
			for _, c := range g.cycles() {
				cycles = append(cycles, c.describe(g, "x.")+"."+othersInCycle(g, c, "x."))
			}
			if diff := cmp.Diff(tt.cycles, cycles); diff != "" {
				t.Errorf("cycles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.order, g.order()); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGraphLongChainDoesNotRecurse(t *testing.T) {
	const n = 50_000
	names := make([]string, n)
	for i := range names {
		names[i] = "s" + strconv.Itoa(i)
	}
	g := newGraph(names)
	for i := 1; i < n; i++ {
		g.add(names[i-1], names[i], hcl.Range{})
	}
	g.add(names[n-1], names[0], hcl.Range{})
	cycles := g.cycles()
	if len(cycles) != 1 || len(cycles[0].nodes) != n {
		t.Fatalf("want one cycle through all %d nodes, got %d cycles", n, len(cycles))
	}
}

func TestDigest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.hcl", `playbook "d" {}`)
	write("b.hcl", `locals { x = 1 }`)
	p1, _ := LoadDir(dir, nil)
	// The same files elsewhere have the same digest.
	other := t.TempDir()
	for name, src := range map[string]string{"a.hcl": `playbook "d" {}`, "b.hcl": `locals { x = 1 }`} {
		if err := os.WriteFile(filepath.Join(other, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p2, _ := LoadDir(other, nil)
	if p1.Digest != p2.Digest {
		t.Errorf("same files, different digests: %s, %s", p1.Digest, p2.Digest)
	}
	// Moving content between files changes it.
	write("a.hcl", `playbook "d" {} `)
	write("b.hcl", `locals { x = 1 }`)
	p3, _ := LoadDir(dir, nil)
	if p3.Digest == p1.Digest {
		t.Errorf("changed files, same digest %s", p3.Digest)
	}
	write("a.hcl", `playbook "d" {}locals { x = 1 }`)
	write("b.hcl", ``)
	p4, _ := LoadDir(dir, nil)
	if p4.Digest == p1.Digest {
		t.Errorf("content moved between files, same digest %s", p4.Digest)
	}
}
