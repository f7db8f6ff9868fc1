package playbooks

import (
	"sync"
	"testing"

	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// TestEvaluateConcurrently evaluates one loaded playbook from several
// goroutines; run with -race it proves Evaluate leaves the playbook alone.
func TestEvaluateConcurrently(t *testing.T) {
	p, diags := LoadDir("testdata/valid/exchange-454", testactions.Registry())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := EvalInput{Hosts: testHosts(), Groups: testGroups}
			if i%2 == 1 {
				in = EvalInput{}
			}
			r, diags := p.Evaluate(in)
			if diags.HasErrors() {
				t.Errorf("goroutine %d: %s", i, diags.Error())
				return
			}
			results[i] = len(r.Hosts())
		}()
	}
	wg.Wait()
	for i, n := range results {
		want := 4
		if i%2 == 1 {
			want = 0
		}
		if n != want {
			t.Errorf("goroutine %d: %d hosts, want %d", i, n, want)
		}
	}
}
