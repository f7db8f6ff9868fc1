package lab

import (
	"testing"
	"time"
)

// TestGenerate checks the shape of generated organisations and that the
// faults are spread so that some queues fail and some flow.
func TestGenerate(t *testing.T) {
	tests := []struct {
		n, dcs, sites int
	}{
		{1, 2, 1},
		{40, 2, 1},
		{41, 4, 2},
		{100, 6, 3},
	}
	for _, tt := range tests {
		sc := Generate(tt.n)
		o, _, err := seedOrg(sc, map[string]string{}, time.Now)
		if err != nil {
			t.Fatalf("Generate(%d): %v", tt.n, err)
		}
		ex, dcs, pdcs := 0, 0, 0
		sites := map[string]bool{}
		for _, h := range o.Hosts() {
			sites[h.Site] = true
			switch h.Role {
			case RoleExchange:
				ex++
			case RoleDC:
				dcs++
				if h.PDC {
					pdcs++
				}
			}
		}
		if ex != tt.n || dcs != tt.dcs || pdcs != 1 || len(sites) != tt.sites {
			t.Errorf("Generate(%d): %d Exchange servers, %d DCs (%d PDC), %d sites; want %d, %d (1), %d", tt.n, ex, dcs, pdcs, len(sites), tt.n, tt.dcs, tt.sites)
		}
		if tt.n < 40 {
			continue
		}
		broken, flowing := 0, 0
		for _, h := range o.Hosts() {
			for _, q := range h.Queues() {
				if q.LastError == Error454 {
					broken++
				} else {
					flowing++
				}
			}
		}
		if broken == 0 || flowing == 0 {
			t.Errorf("Generate(%d): %d broken and %d flowing queues, want both", tt.n, broken, flowing)
		}
	}
	if healed := Generate(80).WithFaults(); len(healed.Blocks)+len(healed.Accounts)+len(healed.FailingLinks) != 0 {
		t.Errorf("WithFaults() kept faults: %+v", healed)
	}
	// Without faults every queue flows; with only one kind, only that
	// kind's pairs fail.
	for kinds, wantBroken := range map[string]int{"": 0, FaultConnector: 1, FaultSkew: 2} {
		var sc Scenario
		if kinds == "" {
			sc = KB979174().WithFaults()
		} else {
			sc = KB979174().WithFaults(kinds)
		}
		o, _, err := seedOrg(sc, map[string]string{}, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		broken := 0
		for _, h := range o.Hosts() {
			for _, q := range h.Queues() {
				if q.LastError != "" {
					broken++
				}
			}
		}
		if broken != wantBroken {
			t.Errorf("kb979174 with faults %q: %d broken queues, want %d", kinds, broken, wantBroken)
		}
	}
}
