package windows

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// TimeSkew is the windows.time_skew action (KB 979174 step 1): every target
// must be within max_skew of the domain controllers that authenticate it,
// and within the Kerberos SkewTime it reads from the host itself. A host
// over the limit is resynced from the domain hierarchy (w32tm /config
// /syncfromflags:domhier /update, restart w32time, w32tm /resync
// /rediscover). If the domain controllers disagree among themselves, or the
// target is itself a domain controller that is off, the change is blocked:
// resyncing against a wrong clock would spread the error.
type TimeSkew struct{}

var _ actions.Action = TimeSkew{}

// Schema implements actions.Action.
func (TimeSkew) Schema() actions.Schema {
	return actions.Schema{
		Description: "Keeps hosts' clocks within the Kerberos tolerance of their domain controllers.",
		Attributes: []actions.Attribute{
			{Name: "against", Hosts: true, Required: true, Description: "The domain controllers to compare with (those of the target's site are used when sites are known)."},
			{Name: "max_skew", Type: cty.String, Default: cty.StringVal("4m"), Check: checkDuration, Description: "Resync a host whose clock is further than this from its DCs."},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("1")},
		},
	}
}

// Probes implements actions.Action: time.read on the target and on each of
// its DCs (shared with every other target's reads of the same DC).
func (TimeSkew) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.TimeRead)
	if err != nil {
		return nil, err
	}
	ps := []actions.Probe{{Name: "self", Shell: &actions.ShellProbe{Script: s, Args: ops.TimeReadArgs{}}}}
	dcs := inst.SiteHosts("against")
	if len(dcs) == 0 {
		return nil, fmt.Errorf("against names no domain controller in the inventory other than the target itself")
	}
	for _, dc := range dcs {
		ps = append(ps, actions.Probe{Name: "dc:" + dc.Name, Shell: &actions.ShellProbe{Host: dc.Name, Script: s, Args: ops.TimeReadArgs{}}})
	}
	return ps, nil
}

// reading is one host's clock, as its offset from rectify's own clock.
type reading struct {
	host   string
	offset time.Duration
	// uncertainty is half the round trip of the read.
	uncertainty time.Duration
	t           ops.TimeReading
}

func readClock(r actions.Results, probe, host string) (reading, error) {
	var t ops.TimeReading
	if err := r.Decode(probe, &t); err != nil {
		return reading{}, fmt.Errorf("read the clock of %s: %w", host, err)
	}
	at, err := time.Parse(time.RFC3339Nano, t.UTC)
	if err != nil {
		return reading{}, fmt.Errorf("%s reported an unreadable time %q", host, t.UTC)
	}
	res := r[probe]
	mid := res.Sent.Add(res.Received.Sub(res.Sent) / 2)
	return reading{host: host, offset: at.Sub(mid), uncertainty: res.Received.Sub(res.Sent) / 2, t: t}, nil
}

// skewState keeps only what the decision rests on, rounded, so that a clock
// that keeps ticking does not make every plan stale.
type skewState struct {
	// SkewSeconds is the target's largest distance from its DCs, rounded
	// to ten seconds. It is shown, but left out of the encoded state so
	// that a clock that keeps drifting within the same verdict does not
	// make the plan stale; the verdict (Exceeds, OffDCs) is what counts.
	SkewSeconds int  `json:"-"`
	Limit       int  `json:"limit_seconds"`
	Exceeds     bool `json:"exceeds"`
	IsDC        bool `json:"is_dc"`
	// OffDCs lists DCs whose clocks disagree with the others beyond the limit.
	OffDCs []string `json:"off_dcs"`
	// SkewTimeMinutes is the host's Kerberos tolerance.
	SkewTimeMinutes int      `json:"skew_time_minutes"`
	DCs             []string `json:"dcs"`
}

// Observe implements actions.Action.
func (TimeSkew) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	self, err := readClock(r, "self", inst.Host.Name)
	if err != nil {
		return nil, err
	}
	var dcs []reading
	for _, dc := range inst.SiteHosts("against") {
		rd, err := readClock(r, "dc:"+dc.Name, dc.Name)
		if err != nil {
			return nil, err
		}
		dcs = append(dcs, rd)
	}
	limit, err := effectiveLimit(inst, self.t)
	if err != nil {
		return nil, err
	}
	st := skewState{IsDC: self.t.IsDC, SkewTimeMinutes: self.t.SkewTimeMinutes, Limit: int(limit / time.Second), OffDCs: []string{}}
	// The reference is the PDC emulator when it is among the DCs, else the
	// median DC clock.
	ref := referenceOffset(dcs)
	for _, d := range dcs {
		st.DCs = append(st.DCs, d.host)
		if abs(d.offset-ref) > limit {
			st.OffDCs = append(st.OffDCs, d.host)
		}
	}
	var worst time.Duration
	for _, d := range dcs {
		if s := abs(self.offset - d.offset); s > worst {
			worst = s
		}
	}
	st.SkewSeconds = int(math.Round(worst.Seconds()/10) * 10)
	st.Exceeds = worst > limit
	sort.Strings(st.DCs)
	return st, nil
}

// effectiveLimit is max_skew, but never more than the host's own Kerberos
// SkewTime.
func effectiveLimit(inst actions.Instance, t ops.TimeReading) (time.Duration, error) {
	limit, err := lang.ParseDuration(inst.Config.String("max_skew"))
	if err != nil {
		return 0, err
	}
	if t.SkewTimeMinutes > 0 {
		if kerb := time.Duration(t.SkewTimeMinutes) * time.Minute; kerb < limit {
			limit = kerb
		}
	}
	return limit, nil
}

func referenceOffset(dcs []reading) time.Duration {
	for _, d := range dcs {
		if d.t.PDCEmulator {
			return d.offset
		}
	}
	offs := make([]time.Duration, len(dcs))
	for i, d := range dcs {
		offs[i] = d.offset
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	return offs[len(offs)/2]
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Plan implements actions.Action.
func (TimeSkew) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(skewState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	kb := inst.Config.String("kb_step")
	object := "clock of " + inst.Host.Name
	skew := (time.Duration(st.SkewSeconds) * time.Second).String()
	limit := (time.Duration(st.Limit) * time.Second).String()
	// The skew is a measurement: apply's re-plan measures again and need
	// not find the same figure for the same change.
	attrs := []plans.Attr{{Name: "skew", Before: skew, Volatile: true}, {Name: "limit", Before: limit}, {Name: "compared_with", Before: st.DCs}}
	if len(st.OffDCs) > 0 {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Attrs: attrs,
			Reason:   fmt.Sprintf("domain controller(s) %s disagree with the domain's time source by more than %s; fix the time hierarchy (PDC emulator first) before resyncing members", strings.Join(st.OffDCs, ", "), limit),
			Findings: []string{"on the PDC emulator: w32tm /config /manualpeerlist:<reliable source> /syncfromflags:manual /reliable:yes /update"}}, nil
	}
	if !st.Exceeds {
		ch := plans.Change{Action: plans.NoOp, Object: object}
		if st.SkewSeconds*2 > st.Limit && st.SkewSeconds > 0 {
			ch.Findings = []string{fmt.Sprintf("clock is %s from its DCs, more than half the %s limit", skew, limit)}
		}
		return ch, nil
	}
	if st.IsDC {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Attrs: attrs,
			Reason: "this host is a domain controller whose clock is off; a DC is not resynced against itself: fix the domain time hierarchy first"}, nil
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: kb, Attrs: attrs,
		Reason:  fmt.Sprintf("KB 979174 step 1: the clock is %s from its domain controllers, over the %s limit (Kerberos SkewTime %d minutes)", skew, limit, st.SkewTimeMinutes),
		Risk:    "the clock jumps to the domain time; the w32time service restarts",
		Undo:    "none needed: the host follows the domain time hierarchy, which is its default",
		Payload: json.RawMessage(`{}`),
	}, nil
}

// Apply implements actions.Action: configure w32time for the domain
// hierarchy and resync.
func (TimeSkew) Apply(ctx context.Context, inst actions.Instance, _ plans.Change, conns actions.Connections) (actions.Outcome, error) {
	s, err := ops.Lookup(ops.TimeResync)
	if err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	res, err := sh.RunScript(ctx, ops.ScriptRun{Script: s, Args: json.RawMessage(`{}`), Mutates: true})
	if err != nil {
		return actions.Outcome{}, err
	}
	var co ops.CommandOutput
	if err := json.Unmarshal(res.Output, &co); err != nil {
		return actions.Outcome{}, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, s.Op, "malformed answer: %v", err)
	}
	// w32tm's exit codes are unreliable; its output is shown, and the
	// verification that follows measures the clock again.
	var out actions.Outcome
	for _, c := range co.Commands {
		out.Messages = append(out.Messages, fmt.Sprintf("%s (exit %d): %s", c.Command, c.ExitCode, strings.TrimSpace(c.Output)))
	}
	return out, nil
}
