package directory

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse runs writers and paged readers at once; run with -race.
// Every reader must see each computer at most once per scan, and the final
// state must hold every write.
func TestConcurrentUse(t *testing.T) {
	d := newTestDirectory(t)
	const writers, perWriter = 4, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				name := fmt.Sprintf("W%dC%03d", w, i)
				dn, err := d.AddComputer(Computer{Name: name, SPNs: []string{}})
				if err != nil {
					t.Error(err)
					return
				}
				if err := d.Modify(dn, []Change{{ChangeAdd, "servicePrincipalName", []string{"HOST/" + name}}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 20 {
				seen := map[string]bool{}
				var cursor Cursor
				for {
					p, err := d.SearchPage(Query{Base: testRoot, Scope: ScopeSubtree, Filter: Present("servicePrincipalName")}, cursor, 7)
					if err != nil {
						t.Error(err)
						return
					}
					for _, e := range p.Entries {
						if seen[e.DN] {
							t.Errorf("%s seen twice in one scan", e.DN)
						}
						seen[e.DN] = true
					}
					if !p.More {
						break
					}
					cursor = p.Next
				}
			}
		})
	}
	wg.Wait()
	got, err := d.Search(testRoot, ScopeSubtree, Present("servicePrincipalName"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*perWriter {
		t.Errorf("%d SPN holders, want %d", len(got), writers*perWriter)
	}
}
