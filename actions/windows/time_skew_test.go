package windows

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

type topo map[string]actions.Host

func (t topo) Host(n string) (actions.Host, bool) { h, ok := t[n]; return h, ok }

var skewHosts = topo{
	"ex01": {Name: "ex01", Site: "HQ"},
	"ex02": {Name: "ex02", Site: "HQ"},
	"ex09": {Name: "ex09", Site: "Branch"},
	"dc01": {Name: "dc01", Site: "HQ"},
	"dc02": {Name: "dc02", Site: "HQ"},
	"dc09": {Name: "dc09", Site: "Branch"},
}

func skewConfig(maxSkew string) actions.Config {
	return actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against":  cty.ListVal([]cty.Value{cty.StringVal("dc01"), cty.StringVal("dc02"), cty.StringVal("dc09")}),
		"max_skew": cty.StringVal(maxSkew), "kb_step": cty.StringVal("1"),
	}))
}

var skewBase = time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)

// clockRead is a time.read result: the host's clock at off from the truth,
// read in a command whose round trip was rtt.
func clockRead(off, rtt time.Duration, skewMin int) actions.Result {
	b, _ := json.Marshal(ops.TimeReading{UTC: skewBase.Add(off).Format(time.RFC3339Nano), SkewTimeMinutes: skewMin})
	return actions.Result{Output: b, Sent: skewBase.Add(-rtt / 2), Received: skewBase.Add(rtt / 2)}
}

func configRead(c ops.TimeKeeping) actions.Result {
	b, _ := json.Marshal(c)
	return actions.Result{Output: b}
}

// skewFleet describes one read of every host: clock offsets, round trips,
// and time configurations.
type skewFleet struct {
	offsets map[string]time.Duration
	rtt     map[string]time.Duration
	skew    map[string]int
	config  map[string]ops.TimeKeeping
	fail    map[string]bool
}

func (f skewFleet) results(t *testing.T, inst actions.Instance) actions.Results {
	t.Helper()
	probes, err := TimeSkew{}.Probes(inst)
	if err != nil {
		t.Fatal(err)
	}
	r := actions.Results{}
	read := func(p actions.Probe, host string) actions.Result {
		if f.fail[host] {
			return actions.Result{Err: errors.New("connection refused")}
		}
		switch p.Shell.Script.Op {
		case ops.TimeRead:
			if !p.Shell.Alone {
				t.Errorf("probe %s reads a clock without timing it on its own", p.Name)
			}
			rtt := f.rtt[host]
			if rtt == 0 {
				rtt = 100 * time.Millisecond
			}
			skew := f.skew[host]
			if skew == 0 {
				skew = 5
			}
			return clockRead(f.offsets[host], rtt, skew)
		case ops.TimeConfig:
			c, ok := f.config[host]
			if !ok {
				c = ops.TimeKeeping{IsDC: strings.HasPrefix(host, "dc"), PDCEmulator: host == "dc01",
					Parameters: ops.W32TimeSettings{Type: ops.RegistryValue{Exists: true, Kind: "String", Data: "NT5DS"}}}
			}
			return configRead(c)
		}
		t.Fatalf("unexpected probe %s", p.Shell.Script.Op)
		return actions.Result{}
	}
	for _, p := range probes {
		if p.Shell.Hosts != nil {
			each := map[string]actions.Result{}
			for _, h := range p.Shell.Hosts {
				each[h] = read(p, h)
			}
			r[p.Name] = actions.Result{Each: each}
			continue
		}
		host := p.Shell.Host
		if host == "" {
			host = inst.Host.Name
		}
		r[p.Name] = read(p, host)
	}
	return r
}

func planSkew(t *testing.T, target, maxSkew string, f skewFleet) (skewState, plans.Change) {
	t.Helper()
	inst := actions.Instance{Host: skewHosts[target], Targets: []string{"ex01", "ex02", "ex09"}, Config: skewConfig(maxSkew), Topology: skewHosts}
	st, err := TimeSkew{}.Observe(inst, f.results(t, inst))
	if err != nil {
		t.Fatalf("observe %s: %v", target, err)
	}
	ch, err := TimeSkew{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	return st.(skewState), ch
}

func TestTimeSkewPlan(t *testing.T) {
	hyperV := ops.TimeKeeping{HyperVGuest: true, HyperVTimeProvider: ops.RegistryValue{Exists: true, Kind: "DWord", Data: 1},
		Parameters: ops.W32TimeSettings{Type: ops.RegistryValue{Exists: true, Kind: "String", Data: "NT5DS"}}}
	physical := hyperV
	physical.HyperVGuest = false
	vmware := ops.TimeKeeping{VMwareTimeSync: &ops.CommandRun{Output: "Enabled"}}
	vmwareOff := ops.TimeKeeping{VMwareTimeSync: &ops.CommandRun{Output: "Disabled"}}
	policy := ops.TimeKeeping{Policy: ops.W32TimeSettings{Type: ops.RegistryValue{Exists: true, Kind: "String", Data: "NTP"}, NtpServer: ops.RegistryValue{Exists: true, Kind: "String", Data: "ntp.example.net,0x8"}}}
	policyDomain := ops.TimeKeeping{Policy: ops.W32TimeSettings{Type: ops.RegistryValue{Exists: true, Kind: "String", Data: "NT5DS"}}}
	tests := []struct {
		name    string
		target  string
		maxSkew string
		fleet   skewFleet
		want    plans.Action
		// reason and findings hold substrings each must contain.
		reason   string
		findings []string
	}{
		{name: "in sync", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 2 * time.Second}}, want: plans.NoOp},
		{name: "seven minutes fast", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}}, want: plans.Run, reason: "7m0s ahead"},
		{name: "seven minutes slow", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": -7 * time.Minute}}, want: plans.Run, reason: "7m0s behind"},
		// Each within 4m of the DCs, 7m apart: both are resynced.
		{name: "opposite directions, ex01", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 210 * time.Second, "ex02": -210 * time.Second}},
			want: plans.Run, reason: "3m30s ahead"},
		{name: "opposite directions, ex02", target: "ex02", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 210 * time.Second, "ex02": -210 * time.Second}},
			want: plans.Run, reason: "3m30s behind"},
		// Another target is off: its own instance plans its resync; this
		// one reads no other target's clock, and has nothing to say.
		{name: "another target is off", target: "ex02", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 5 * time.Minute}},
			want: plans.NoOp},
		{name: "ninety seconds: a finding only", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 90 * time.Second}},
			want: plans.NoOp, findings: []string{"more than half the 2m0s allowed"}},
		{name: "SkewTime 2 minutes on the DC lowers the limit", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 90 * time.Second}, skew: map[string]int{"dc02": 2}},
			want: plans.Run, reason: "SkewTime 2 minutes"},
		{name: "a DC is off", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"dc02": 10 * time.Minute}}, want: plans.Blocked, reason: "dc02"},
		{name: "a DC of another site is off: a finding", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"dc09": 10 * time.Minute}},
			want: plans.NoOp, findings: []string{"dc09 is 10m0s ahead of the domain's time"}},
		// Two PDC emulators (two domains) 10 minutes apart: no one domain
		// time to hold both sites' servers to.
		{name: "two PDC emulators disagree, ex01", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"dc09": 10 * time.Minute}, config: map[string]ops.TimeKeeping{"dc09": {IsDC: true, PDCEmulator: true}}},
			want: plans.Blocked, reason: "domain controller(s) dc09 are more than"},
		{name: "two PDC emulators disagree, ex09", target: "ex09", fleet: skewFleet{offsets: map[string]time.Duration{"dc09": 10 * time.Minute}, config: map[string]ops.TimeKeeping{"dc09": {IsDC: true, PDCEmulator: true}}},
			want: plans.Blocked, reason: "domain controller(s) dc09 are more than"},
		{name: "a DC of another site cannot be read", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, fail: map[string]bool{"dc09": true}},
			want: plans.Run, findings: []string{"could not read the clock of dc09"}},
		{name: "another target cannot be read", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, fail: map[string]bool{"ex09": true}},
			want: plans.Run, reason: "7m0s ahead"},
		// 2m10s off with ±250ms: certainly beyond 2m. With ±15s: cannot tell.
		{name: "beyond despite the uncertainty", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 130 * time.Second}, rtt: map[string]time.Duration{"ex01": 400 * time.Millisecond}},
			want: plans.Run},
		{name: "uncertainty larger than the margin", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 130 * time.Second}, rtt: map[string]time.Duration{"ex01": 30 * time.Second}},
			want: plans.Blocked, reason: "cannot judge the clock(s) of ex01"},
		{name: "an uncertain DC", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"dc02": 119 * time.Second}, rtt: map[string]time.Duration{"dc02": 10 * time.Second}},
			want: plans.Blocked, reason: "cannot judge the clock(s) of dc02"},
		{name: "the target is a DC that is off", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 9 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": {IsDC: true}}},
			want: plans.Blocked, reason: "domain controller"},
		{name: "Hyper-V sets the clock", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": hyperV}},
			want: plans.Blocked, reason: "VM IC time provider"},
		{name: "the VM IC provider on a physical host", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": physical}},
			want: plans.Run},
		{name: "VMware Tools set the clock", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": vmware}},
			want: plans.Blocked, reason: "VMware Tools"},
		{name: "VMware Tools do not", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": vmwareOff}},
			want: plans.Run},
		{name: "a policy names another source", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": policy}},
			want: plans.Blocked, reason: "Group Policy sets W32Time's source to NTP ntp.example.net,0x8"},
		{name: "a policy names the domain hierarchy", target: "ex01", fleet: skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": policyDomain}},
			want: plans.Run},
		// A blocker matters only when a resync is due.
		{name: "Hyper-V guest in sync", target: "ex01", fleet: skewFleet{config: map[string]ops.TimeKeeping{"ex01": hyperV}}, want: plans.NoOp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxSkew := tt.maxSkew
			if maxSkew == "" {
				maxSkew = "4m"
			}
			_, ch := planSkew(t, tt.target, maxSkew, tt.fleet)
			if ch.Action != tt.want {
				t.Fatalf("%s (%s) %q; want %s", ch.Action, ch.Reason, ch.Findings, tt.want)
			}
			if !strings.Contains(ch.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", ch.Reason, tt.reason)
			}
			for _, f := range tt.findings {
				if !strings.Contains(strings.Join(ch.Findings, "\n"), f) {
					t.Errorf("findings %q lack %q", ch.Findings, f)
				}
			}
			if tt.want == plans.NoOp && len(tt.findings) == 0 && len(ch.Findings) > 0 {
				t.Errorf("unexpected findings %q", ch.Findings)
			}
		})
	}
}

// TestTimeSkewReadsEveryClockInvolved checks who an instance compares: the
// target, its site's DCs and every other DC against names, never another
// target (a step reads each clock once, whatever its size).
func TestTimeSkewReadsEveryClockInvolved(t *testing.T) {
	inst := actions.Instance{Host: skewHosts["ex01"], Targets: []string{"ex01", "ex02", "ex09"}, Config: skewConfig("4m"), Topology: skewHosts}
	probes, err := TimeSkew{}.Probes(inst)
	if err != nil {
		t.Fatal(err)
	}
	// Each read, as "probe: host"; the DCs' reads name the same hosts for
	// every instance, so that the step shares them.
	var got []string
	for _, p := range probes {
		hosts := p.Shell.Hosts
		if hosts == nil {
			hosts = []string{inst.Host.Name}
		}
		got = append(got, p.Name+": "+strings.Join(hosts, " "))
	}
	want := []string{"clock:ex01: ex01", "config:ex01: ex01", "dc_clocks: dc01 dc02 dc09", "dc_configs: dc01 dc02 dc09"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("probes (-want +got):\n%s", diff)
	}
	other, err := TimeSkew{}.Probes(actions.Instance{Host: skewHosts["ex09"], Targets: inst.Targets, Config: inst.Config, Topology: skewHosts})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(probes[2:], other[2:], cmp.Comparer(func(a, b ops.Script) bool { return a.Op == b.Op })); diff != "" {
		t.Errorf("two instances of the step name different DC reads, which the step cannot share (-ex01 +ex09):\n%s", diff)
	}
	st, _ := planSkew(t, "ex01", "4m", skewFleet{})
	if diff := cmp.Diff([]string{"dc01", "dc02"}, st.DCs); diff != "" {
		t.Errorf("the target's DCs (-want +got):\n%s", diff)
	}
}

func TestTimeSkewStateIgnoresJitter(t *testing.T) {
	digest := func(ex01, rtt time.Duration) string {
		st, _ := planSkew(t, "ex01", "4m", skewFleet{offsets: map[string]time.Duration{"ex01": ex01}, rtt: map[string]time.Duration{"ex01": rtt}})
		_, d, err := plans.EncodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if digest(7*time.Minute, 100*time.Millisecond) != digest(7*time.Minute+800*time.Millisecond, 300*time.Millisecond) {
		t.Error("the observed state changes with the passing of time; every plan would go stale")
	}
	if digest(7*time.Minute, 100*time.Millisecond) == digest(time.Second, 100*time.Millisecond) {
		t.Error("a clock back in line leaves the observed state as it was")
	}
	// A DC of another site that cannot be read at apply leaves this
	// target's change as reviewed.
	st, _ := planSkew(t, "ex01", "4m", skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, fail: map[string]bool{"dc09": true}})
	_, d, _ := plans.EncodeState(st)
	if d != digest(7*time.Minute, 100*time.Millisecond) {
		t.Error("an unreadable DC of another site makes the target's planned change stale")
	}
}

// TestTimeSkewUndoData checks that the change names the source it
// overwrites and that apply's undo data restores exactly it.
func TestTimeSkewUndoData(t *testing.T) {
	ntp := ops.TimeKeeping{Parameters: ops.W32TimeSettings{
		Type:      ops.RegistryValue{Exists: true, Kind: "String", Data: "NTP"},
		NtpServer: ops.RegistryValue{Exists: true, Kind: "String", Data: "time.windows.com,0x9"},
	}}
	_, ch := planSkew(t, "ex01", "4m", skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}, config: map[string]ops.TimeKeeping{"ex01": ntp}})
	if ch.Action != plans.Run || !strings.Contains(ch.Undo, "NTP time.windows.com,0x9") {
		t.Fatalf("%s, undo %q; want a run whose undo names the NTP source", ch.Action, ch.Undo)
	}
	var source plans.Attr
	for _, a := range ch.Attrs {
		if a.Name == "time_source" {
			source = a
		}
	}
	if source.Before != "NTP time.windows.com,0x9" || source.After != "NT5DS (the domain hierarchy)" {
		t.Errorf("time_source %+v", source)
	}
	_, ch = planSkew(t, "ex01", "4m", skewFleet{offsets: map[string]time.Duration{"ex01": 7 * time.Minute}})
	if !strings.HasPrefix(ch.Undo, "none needed") {
		t.Errorf("a host on the domain hierarchy: undo %q", ch.Undo)
	}
}

// TestTimeSkewBoundsEveryPair checks the promise that replaces reading
// every other target: targets that plan no resync are within the limit of
// each other, whatever their offsets, since each is held within half of it
// of the one reference.
func TestTimeSkewBoundsEveryPair(t *testing.T) {
	var offsets []time.Duration
	for s := -5 * time.Minute; s <= 5*time.Minute; s += 25 * time.Second {
		offsets = append(offsets, s)
	}
	const limit = 4 * time.Minute
	for _, a := range offsets {
		for _, b := range offsets {
			fleet := skewFleet{offsets: map[string]time.Duration{"ex01": a, "ex09": b}}
			_, ch1 := planSkew(t, "ex01", "4m", fleet)
			_, ch9 := planSkew(t, "ex09", "4m", fleet)
			if ch1.Action == plans.NoOp && ch9.Action == plans.NoOp && abs(a-b) > limit {
				t.Fatalf("ex01 at %s and ex09 at %s are %s apart, yet neither plans a resync", a, b, abs(a-b))
			}
		}
	}
}
