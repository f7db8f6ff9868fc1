package windows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

type topo map[string]actions.Host

func (t topo) Host(n string) (actions.Host, bool) { h, ok := t[n]; return h, ok }

func TestTimeSkewPlan(t *testing.T) {
	hosts := topo{
		"ex01": {Name: "ex01", Site: "HQ"},
		"dc01": {Name: "dc01", Site: "HQ"},
		"dc02": {Name: "dc02", Site: "HQ"},
		"dc09": {Name: "dc09", Site: "Branch"},
	}
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against":  cty.ListVal([]cty.Value{cty.StringVal("dc01"), cty.StringVal("dc02"), cty.StringVal("dc09")}),
		"max_skew": cty.StringVal("4m"), "kb_step": cty.StringVal("1"),
	}))
	base := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	read := func(off time.Duration, skewMin int, isDC, pdc bool) actions.Result {
		b, _ := json.Marshal(ops.TimeReading{UTC: base.Add(off).Format(time.RFC3339Nano), SkewTimeMinutes: skewMin, IsDC: isDC, PDCEmulator: pdc})
		return actions.Result{Output: b, Sent: base.Add(-50 * time.Millisecond), Received: base.Add(50 * time.Millisecond)}
	}
	tests := []struct {
		name           string
		self, dc1, dc2 time.Duration
		selfDC         bool
		skewTime       int
		want           plans.Action
		wantFindings   bool
	}{
		{name: "in sync", self: 2 * time.Second, want: plans.NoOp},
		{name: "seven minutes fast", self: 7 * time.Minute, want: plans.Run},
		{name: "seven minutes slow", self: -7 * time.Minute, want: plans.Run},
		{name: "three minutes: warning only", self: 3 * time.Minute, want: plans.NoOp, wantFindings: true},
		{name: "SkewTime 2 minutes lowers the limit", self: 3 * time.Minute, skewTime: 2, want: plans.Run},
		{name: "a DC is off", self: 0, dc2: 10 * time.Minute, want: plans.Blocked},
		{name: "target is an off DC", self: 9 * time.Minute, selfDC: true, want: plans.Blocked},
	}
	for _, tt := range tests {
		skew := tt.skewTime
		if skew == 0 {
			skew = 5
		}
		inst := actions.Instance{Host: hosts["ex01"], Config: cfg, Topology: hosts}
		probes, err := TimeSkew{}.Probes(inst)
		if err != nil || len(probes) != 3 {
			t.Fatalf("%s: probes %d, %v (the Branch DC must be left out)", tt.name, len(probes), err)
		}
		r := actions.Results{"self": read(tt.self, skew, tt.selfDC, false), "dc:dc01": read(tt.dc1, 5, true, true), "dc:dc02": read(tt.dc2, 5, true, false)}
		st, err := TimeSkew{}.Observe(inst, r)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ch, err := TimeSkew{}.Plan(inst, st)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ch.Action != tt.want || (len(ch.Findings) > 0) != (tt.wantFindings || tt.want == plans.Blocked && len(ch.Findings) > 0) {
			t.Errorf("%s: %s %q (%s); want %s", tt.name, ch.Action, ch.Findings, ch.Reason, tt.want)
		}
	}
}

func TestTimeSkewStateIgnoresJitter(t *testing.T) {
	hosts := topo{"ex01": {Name: "ex01"}, "dc01": {Name: "dc01"}}
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against": cty.ListVal([]cty.Value{cty.StringVal("dc01")}), "max_skew": cty.StringVal("4m"), "kb_step": cty.StringVal("1"),
	}))
	inst := actions.Instance{Host: hosts["ex01"], Config: cfg, Topology: hosts}
	digest := func(at time.Time, jitter time.Duration) string {
		mk := func(off time.Duration) actions.Result {
			b, _ := json.Marshal(ops.TimeReading{UTC: at.Add(off).Format(time.RFC3339Nano), SkewTimeMinutes: 5})
			return actions.Result{Output: b, Sent: at, Received: at}
		}
		st, err := TimeSkew{}.Observe(inst, actions.Results{"self": mk(7*time.Minute + jitter), "dc:dc01": mk(0)})
		if err != nil {
			t.Fatal(err)
		}
		_, d, _ := plans.EncodeState(st)
		return d
	}
	a := digest(time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC), 0)
	b := digest(time.Date(2026, 11, 27, 6, 5, 0, 0, time.UTC), 800*time.Millisecond)
	if a != b {
		t.Error("the observed state changes with the passing of time; every plan would go stale")
	}
}
