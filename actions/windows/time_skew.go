package windows

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// TimeSkew is the windows.time_skew action (KB 979174 step 1): every two
// clocks involved (the step's targets and the domain controllers that
// authenticate them) must be within max_skew of each other, and within
// the Kerberos SkewTime each host reads from its own registry. The
// receiving Exchange server checks the sender's authenticator against its
// own clock, so two servers off in opposite directions fail although each
// is close enough to its DC. Each host is therefore kept within half the
// limit of one reference, the domain's time (the PDC emulator's clock
// among every DC against names, or the median DC's), which bounds every
// pair whatever the order in which hosts are fixed. A target never reads
// another target's clock: the pair is bounded through the reference, so a
// step reads each clock once and its cost grows with the hosts, not with
// their pairs. The limit is max_skew, or the lowest SkewTime of the target
// and the DCs if lower.
//
// Each clock is read first in its host's batch and timed there as a
// command of its own would be (ShellProbe.Alone), and judged with its
// uncertainty (half the span in which it was read): a host whose reading
// cannot be told within or beyond the limit is not judged. A host over the limit is
// resynced from the domain hierarchy (w32tm /config /syncfromflags:domhier
// /update, restart w32time, w32tm /resync /rediscover), and the W32Time
// source it followed before is recorded so that undo restores it. The
// change is blocked, with the reason, when the DCs disagree among
// themselves, when the target is a DC, and when something would undo the
// resync: a hypervisor that sets the clock (Hyper-V's VM IC provider,
// VMware Tools) or a Group Policy that names another source.
type TimeSkew struct{}

var (
	_ actions.Action = TimeSkew{}
	_ actions.Undoer = TimeSkew{}
)

// Schema implements actions.Action.
func (TimeSkew) Schema() actions.Schema {
	return actions.Schema{
		Description: "Keeps the clocks of hosts and their domain controllers within the Kerberos tolerance of each other.",
		Attributes: []actions.Attribute{
			{Name: "against", Hosts: true, Required: true, Description: "The domain controllers that authenticate the targets (for each target, those of its site when sites are known)."},
			{Name: "max_skew", Type: cty.String, Default: cty.StringVal("4m"), Check: checkDuration, Description: "The largest distance allowed between any two clocks involved (never more than the hosts' Kerberos SkewTime); each host is kept within half of it of the domain's time."},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("1")},
		},
	}
}

// involved is who an instance compares: the target, its DCs, and every
// other DC that against names. Every target is held to one reference, the
// domain's time read among all those DCs, so that any two targets are
// within the limit of each other without one target reading another: a
// step over a thousand servers reads each clock once, and each instance
// compares a few dozen clocks, not a thousand.
type involved struct {
	self     actions.Host
	dcs      []actions.Host // the target's own: required
	otherDCs []actions.Host // the rest of against: read if they answer
	// allDCs names every host of against, in its order: the same list for
	// every instance of the step.
	allDCs []string
}

func involvedHosts(inst actions.Instance) (involved, error) {
	in := involved{self: inst.Host, dcs: inst.SiteHosts("against")}
	if len(in.dcs) == 0 {
		return in, fmt.Errorf("against names no domain controller in the inventory other than the target itself")
	}
	seen := map[string]bool{inst.Host.Name: true}
	for _, dc := range in.dcs {
		seen[dc.Name] = true
	}
	listed := map[string]bool{}
	if inst.Topology != nil {
		for _, name := range inst.Config.Strings("against") {
			h, ok := inst.Topology.Host(name)
			if !ok {
				continue
			}
			if !listed[h.Name] {
				listed[h.Name] = true
				in.allDCs = append(in.allDCs, h.Name)
			}
			if seen[h.Name] {
				continue
			}
			seen[h.Name] = true
			in.otherDCs = append(in.otherDCs, h)
		}
	}
	sort.Slice(in.otherDCs, func(i, j int) bool { return in.otherDCs[i].Name < in.otherDCs[j].Name })
	return in, nil
}

// Probe names: the target's own reads, and those of every DC against
// names, one probe each over all of them (ShellProbe.Hosts), which every
// instance of the step shares.
const (
	probeDCClocks  = "dc_clocks"
	probeDCConfigs = "dc_configs"
)

// Probes implements actions.Action: the target's clock and how it keeps
// its time, and the same of every DC against names. Each clock is timed on
// its own; every instance names the same DCs, so a step reads each DC once
// and its instances share one result a DC.
func (TimeSkew) Probes(inst actions.Instance) ([]actions.Probe, error) {
	in, err := involvedHosts(inst)
	if err != nil {
		return nil, err
	}
	clock, err := ops.Lookup(ops.TimeRead)
	if err != nil {
		return nil, err
	}
	config, err := ops.Lookup(ops.TimeConfig)
	if err != nil {
		return nil, err
	}
	dcs := in.allDCs
	return []actions.Probe{
		{Name: "clock:" + in.self.Name, Shell: &actions.ShellProbe{Script: clock, Args: ops.TimeReadArgs{}, Alone: true}},
		{Name: "config:" + in.self.Name, Shell: &actions.ShellProbe{Script: config, Args: ops.TimeConfigArgs{}}},
		{Name: probeDCClocks, Shell: &actions.ShellProbe{Hosts: dcs, Script: clock, Args: ops.TimeReadArgs{}, Alone: true}},
		{Name: probeDCConfigs, Shell: &actions.ShellProbe{Hosts: dcs, Script: config, Args: ops.TimeConfigArgs{}}},
	}, nil
}

// dcRole is the one field of a DC's time.config read (ops.TimeKeeping)
// the comparison needs: every instance of a step reads it for every DC,
// and decoding the whole document each time was most of their cost.
type dcRole struct {
	PDCEmulator bool `json:"pdc_emulator"`
}

// skewState keeps only what the decision rests on, so that clocks that
// keep ticking do not make every plan stale; the measurements are shown
// but left out of the encoded state.
type skewState struct {
	// Limit is the distance allowed between two clocks, in seconds:
	// max_skew, or the smallest SkewTime of the hosts read if lower.
	Limit           int  `json:"limit_seconds"`
	SkewTimeMinutes int  `json:"skew_time_minutes"`
	Exceeds         bool `json:"exceeds"`
	IsDC            bool `json:"is_dc"`
	// OffDCs are the target's DCs beyond half the limit from the
	// domain's time; Unsure the hosts (the target, its DCs) whose reading
	// is too uncertain to tell.
	OffDCs []string `json:"off_dcs"`
	Unsure []string `json:"unsure"`
	// DCs are the target's DCs.
	DCs []string `json:"dcs"`
	// Source is where the target's W32Time takes its time from now.
	Source timeSource `json:"source"`
	// Blockers say what would undo a resync of the target.
	Blockers []string `json:"blockers"`

	// Shown only. Compared lists every host involved, read or not (one
	// that cannot be read is a finding, and no reason to leave this
	// host's change undone).
	Compared    []string      `json:"-"`
	Reference   reading       `json:"-"`
	ReferenceIs string        `json:"-"`
	Skew        time.Duration `json:"-"`
	Uncertainty time.Duration `json:"-"`
	Spread      spread        `json:"-"`
	HasSpread   bool          `json:"-"`
	Unread      []string      `json:"-"`
	OtherOffDCs []string      `json:"-"`
}

// timeSource is W32Time's Type and NtpServer, empty when not set.
type timeSource struct {
	Type      string `json:"type"`
	NtpServer string `json:"ntp_server"`
}

func (s timeSource) String() string {
	switch {
	case s.Type == "":
		return "W32Time's default (the domain hierarchy)"
	case strings.EqualFold(s.Type, "NT5DS"):
		return "NT5DS (the domain hierarchy)"
	case s.NtpServer != "":
		return s.Type + " " + s.NtpServer
	}
	return s.Type
}

func sourceOf(w ops.W32TimeSettings) timeSource {
	str := func(v ops.RegistryValue) string {
		if !v.Exists {
			return ""
		}
		s, _ := v.Data.(string)
		return s
	}
	return timeSource{Type: str(w.Type), NtpServer: str(w.NtpServer)}
}

// Observe implements actions.Action.
func (TimeSkew) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	in, err := involvedHosts(inst)
	if err != nil {
		return nil, err
	}
	st := skewState{OffDCs: []string{}, Unsure: []string{}, Blockers: []string{}}
	self, err := readClock(r, "clock:"+in.self.Name, in.self.Name)
	if err != nil {
		return nil, err
	}
	var cfg ops.TimeKeeping
	if err := r.Decode("config:"+in.self.Name, &cfg); err != nil {
		return nil, fmt.Errorf("read how %s keeps its time: %w", in.self.Name, err)
	}
	st.IsDC = cfg.IsDC
	st.Source = sourceOf(cfg.Parameters)
	st.Blockers = resyncBlockers(cfg)

	all := []reading{self}
	pdc := map[string]bool{}
	if cfg.PDCEmulator {
		pdc[in.self.Name] = true
	}
	var own, dcs []reading
	for _, dc := range in.dcs {
		rd, err := clockOf(r.Of(probeDCClocks, dc.Name), dc.Name)
		if err != nil {
			return nil, err
		}
		var dcCfg dcRole
		if err := r.Of(probeDCConfigs, dc.Name).Decode(&dcCfg); err != nil {
			return nil, fmt.Errorf("read the role of %s: %w", dc.Name, err)
		}
		pdc[dc.Name] = dcCfg.PDCEmulator
		own = append(own, rd)
		st.DCs = append(st.DCs, dc.Name)
	}
	dcs = append(dcs, own...)
	all = append(all, own...)
	for _, dc := range in.otherDCs {
		rd, err := clockOf(r.Of(probeDCClocks, dc.Name), dc.Name)
		if err != nil {
			st.Unread = append(st.Unread, fmt.Sprintf("%s (%v)", dc.Name, err))
			continue
		}
		var dcCfg dcRole
		if err := r.Of(probeDCConfigs, dc.Name).Decode(&dcCfg); err == nil {
			pdc[dc.Name] = dcCfg.PDCEmulator
		}
		dcs = append(dcs, rd)
		all = append(all, rd)
	}

	limit, skewTime, err := effectiveLimit(inst, all)
	if err != nil {
		return nil, err
	}
	st.Limit, st.SkewTimeMinutes = int(limit/time.Second), skewTime
	budget := limit / 2
	// The reference is chosen from the DCs in one order, the same for
	// every instance of the step, so that every target is held to the
	// same clock.
	byName := append([]reading(nil), dcs...)
	sort.Slice(byName, func(i, j int) bool { return byName[i].host < byName[j].host })
	ref := reference(byName, pdc)
	st.Reference = ref
	st.ReferenceIs = "the median domain controller"
	if pdc[ref.host] {
		st.ReferenceIs = "the PDC emulator"
	}

	for _, d := range own {
		switch judge(d.offset-ref.offset, d.uncertainty+ref.uncertainty, budget) {
		case beyond:
			st.OffDCs = append(st.OffDCs, d.host)
		case unsure:
			st.Unsure = append(st.Unsure, d.host)
		}
	}
	for _, d := range dcs[len(own):] {
		if judge(d.offset-ref.offset, d.uncertainty+ref.uncertainty, budget) == beyond {
			if pdc[d.host] {
				// Two PDC emulators (a forest of several domains) that
				// disagree: there is no one domain time to hold targets to.
				st.OffDCs = append(st.OffDCs, d.host)
				continue
			}
			st.OtherOffDCs = append(st.OtherOffDCs, fmt.Sprintf("%s is %s the domain's time", d.host, signed(d.offset-ref.offset)))
		}
	}
	st.Skew = self.offset - ref.offset
	st.Uncertainty = self.uncertainty + ref.uncertainty
	if self.host != ref.host {
		switch judge(st.Skew, st.Uncertainty, budget) {
		case beyond:
			st.Exceeds = true
		case unsure:
			st.Unsure = append(st.Unsure, self.host)
		}
	}
	st.Spread, st.HasSpread = widest(all)
	for _, group := range [][]actions.Host{{in.self}, in.dcs, in.otherDCs} {
		for _, h := range group {
			st.Compared = append(st.Compared, h.Name)
		}
	}
	sort.Strings(st.Compared)
	sort.Strings(st.DCs)
	sort.Strings(st.Unsure)
	return st, nil
}

// effectiveLimit is max_skew, but never more than the smallest Kerberos
// SkewTime among the hosts read (a receiver or KDC with a lower one
// refuses sooner). It also returns that SkewTime in minutes.
func effectiveLimit(inst actions.Instance, rs []reading) (time.Duration, int, error) {
	limit, err := lang.ParseDuration(inst.Config.String("max_skew"))
	if err != nil {
		return 0, 0, err
	}
	minutes := 0
	for _, r := range rs {
		if m := r.t.SkewTimeMinutes; m > 0 && (minutes == 0 || m < minutes) {
			minutes = m
		}
	}
	if minutes > 0 {
		if kerb := time.Duration(minutes) * time.Minute; kerb < limit {
			limit = kerb
		}
	}
	return limit, minutes, nil
}

// resyncBlockers lists what would undo a resync of a host that keeps its
// time as cfg says: a hypervisor that sets its clock, or a Group Policy
// that names another source than the domain hierarchy.
func resyncBlockers(cfg ops.TimeKeeping) []string {
	out := []string{}
	if enabled, _ := cfg.HyperVTimeProvider.Data.(float64); cfg.HyperVGuest && cfg.HyperVTimeProvider.Exists && enabled != 0 {
		out = append(out, "the host is a Hyper-V guest whose VM IC time provider is enabled (Enabled = 1 under "+ops.VMICTimeProviderKey+"): the Hyper-V host sets its clock and would undo a resync. Turn off the VM's Time Synchronization integration service or that provider, or fix the Hyper-V host's clock")
	}
	switch ops.ParseVMwareTimeSync(cfg.VMwareTimeSync) {
	case ops.VMwareTimeSyncEnabled:
		out = append(out, "VMware Tools set the clock from the ESXi host (VMwareToolboxCmd.exe timesync status: Enabled) and would undo a resync. Disable it (VMwareToolboxCmd.exe timesync disable) or fix the ESXi host's clock")
	case ops.VMwareTimeSyncUnknown:
		out = append(out, "VMware Tools are installed but did not say whether they set the clock (VMwareToolboxCmd.exe timesync status printed "+quoted(cfg.VMwareTimeSync.Output)+"); check it before resyncing")
	}
	if policy := sourceOf(cfg.Policy); policy.Type != "" && !strings.EqualFold(policy.Type, "NT5DS") {
		out = append(out, fmt.Sprintf("Group Policy sets W32Time's source to %s (under %s), which W32Time uses instead of a resync's setting. Change the GPO that configures the Windows NTP Client", policy, ops.W32TimePolicyKey))
	}
	return out
}

func quoted(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

// signed shows a clock's distance with its direction, before what it is
// compared with ("3m30s ahead of", "3m30s behind").
func signed(d time.Duration) string {
	if d < 0 {
		return round(-d) + " behind"
	}
	return round(d) + " ahead of"
}

// Plan implements actions.Action.
func (TimeSkew) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(skewState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	kb := inst.Config.String("kb_step")
	object := "clock of " + inst.Host.Name
	limit := time.Duration(st.Limit) * time.Second
	budget := limit / 2
	ref := fmt.Sprintf("%s, %s", st.Reference.host, st.ReferenceIs)
	// The skew is a measurement: apply's re-plan measures again and need
	// not find the same figure for the same change.
	attrs := []plans.Attr{
		{Name: "skew", Before: fmt.Sprintf("%s the domain's time (%s)", signed(st.Skew), ref), Volatile: true},
		{Name: "limit", Before: fmt.Sprintf("%s between any two clocks, %s from the domain's time", limit, budget)},
		{Name: "compared_with", Before: st.Compared},
	}
	findings := st.findings(budget, limit)
	switch {
	case len(st.OffDCs) > 0:
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Attrs: attrs,
			Reason:   fmt.Sprintf("domain controller(s) %s are more than %s from the domain's time (%s); fix the time hierarchy (PDC emulator first) before resyncing members", strings.Join(st.OffDCs, ", "), budget, ref),
			Findings: append(findings, "on the PDC emulator: w32tm /config /manualpeerlist:<reliable source> /syncfromflags:manual /reliable:yes /update")}, nil
	case len(st.Unsure) > 0:
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Attrs: attrs, Findings: findings,
			Reason: fmt.Sprintf("cannot judge the clock(s) of %s: each reading is uncertain by half its round trip (±%s here), which is more than the margin between the distance measured and the %s allowed; plan again when the hosts answer faster", strings.Join(st.Unsure, ", "), roundMS(st.Uncertainty), budget)}, nil
	case !st.Exceeds:
		return plans.Change{Action: plans.NoOp, Object: object, Findings: findings}, nil
	case st.IsDC:
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Attrs: attrs, Findings: findings,
			Reason: "this host is a domain controller whose clock is off; a DC is not resynced against itself: fix the domain time hierarchy first"}, nil
	case len(st.Blockers) > 0:
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Attrs: attrs, Findings: findings,
			Reason: fmt.Sprintf("the clock is %s the domain's time, but a resync would not hold: %s", signed(st.Skew), strings.Join(st.Blockers, "; "))}, nil
	}
	after := timeSource{Type: "NT5DS"}
	attrs = append(attrs, plans.Attr{Name: "time_source", Before: st.Source.String(), After: after.String()})
	reason := fmt.Sprintf("KB 979174 step 1: the clock is %s the domain's time (%s, read to within ±%s), more than %s, half the %s allowed between any two clocks (Kerberos SkewTime %d minutes)", signed(st.Skew), ref, roundMS(st.Uncertainty), budget, limit, st.SkewTimeMinutes)
	if st.HasSpread && st.Spread.width > limit {
		reason += fmt.Sprintf("; the clocks of %s and %s are %s apart", st.Spread.high.host, st.Spread.low.host, round(st.Spread.width))
	}
	undo := "none needed: the host already follows the domain hierarchy, its default"
	if !strings.EqualFold(st.Source.Type, "NT5DS") || st.Source.NtpServer != "" {
		undo = fmt.Sprintf("the W32Time settings the resync overwrites (%s) are recorded; undo puts them back and resyncs from that source", st.Source)
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: kb, Attrs: attrs, Findings: findings,
		Reason:  reason,
		Risk:    "the clock jumps to the domain time; the w32time service restarts",
		Undo:    undo,
		Payload: json.RawMessage(`{}`),
	}, nil
}

// findings are what the operator should know beyond the verdict.
func (st skewState) findings(budget, limit time.Duration) []string {
	var out []string
	if !st.Exceeds && abs(st.Skew)*2 > budget {
		out = append(out, fmt.Sprintf("clock is %s the domain's time, more than half the %s allowed", signed(st.Skew), budget))
	}
	if st.HasSpread && st.Spread.width > limit {
		out = append(out, fmt.Sprintf("the clocks of %s and %s are %s apart, more than the %s allowed between two clocks", st.Spread.high.host, st.Spread.low.host, round(st.Spread.width), limit))
	}
	for _, u := range st.Unread {
		out = append(out, "could not read the clock of "+u+"; it is left out of the comparison")
	}
	out = append(out, st.OtherOffDCs...)
	return out
}

// resyncUndo is what a resync overwrote: W32Time's values as they were,
// and the text of w32tm /query /source and /query /configuration then.
type resyncUndo struct {
	Previous      ops.W32TimeSettings `json:"previous"`
	Source        string              `json:"source"`
	Configuration string              `json:"configuration"`
}

// Apply implements actions.Action: configure w32time for the domain
// hierarchy and resync, keeping what it overwrote as undo data.
func (TimeSkew) Apply(ctx context.Context, inst actions.Instance, _ plans.Change, conns actions.Connections) (actions.Outcome, error) {
	rr, err := ops.Call[ops.TimeResyncResult]{Op: ops.TimeResync, Args: ops.TimeResyncArgs{}, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	undo, err := json.Marshal(resyncUndo{Previous: rr.Previous, Source: rr.PreviousSource.Output, Configuration: rr.PreviousConfiguration.Output})
	if err != nil {
		return actions.Outcome{}, err
	}
	out := actions.Outcome{Undo: undo}
	out.Messages = append(out.Messages, fmt.Sprintf("W32Time followed %s (w32tm /query /source: %s); recorded for undo", sourceOf(rr.Previous), strings.TrimSpace(rr.PreviousSource.Output)))
	var failed []string
	for _, c := range rr.Commands {
		out.Messages = append(out.Messages, fmt.Sprintf("%s (exit %d): %s", c.Command, c.ExitCode, strings.TrimSpace(c.Output)))
		if !strings.HasPrefix(c.Command, "w32tm ") {
			if c.ExitCode != 0 {
				failed = append(failed, c.Command)
			}
			continue
		}
		if o := ops.ParseW32tm(c); o.Failed {
			failed = append(failed, fmt.Sprintf("%s (%s)", c.Command, hresultOrExit(o, c)))
		}
	}
	if len(failed) > 0 {
		// W32Time's configuration may have changed already: the undo data
		// goes with the error.
		return out, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, ops.TimeResync, "failed: %s", strings.Join(failed, "; "))
	}
	// The verification that follows measures the clock again.
	return out, nil
}

func hresultOrExit(o ops.W32tmOutcome, c ops.CommandRun) string {
	if o.HRESULT != "" {
		return o.HRESULT
	}
	return fmt.Sprintf("exit code %d", c.ExitCode)
}

// Undo implements actions.Undoer: W32Time's previous values are put back
// and the host resyncs from that source, as it did before the change.
func (TimeSkew) Undo(ctx context.Context, inst actions.Instance, undo json.RawMessage, conns actions.Connections) (actions.Outcome, error) {
	var u resyncUndo
	if err := json.Unmarshal(undo, &u); err != nil {
		return actions.Outcome{}, fmt.Errorf("unreadable undo data: %w", err)
	}
	rr, err := ops.Call[ops.TimeRestoreResult]{Op: ops.TimeRestore, Args: ops.TimeRestoreArgs{Settings: u.Previous, ExpectType: "NT5DS"}, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	out := actions.Outcome{Messages: []string{fmt.Sprintf("W32Time follows %s again (it followed %s)", sourceOf(u.Previous), sourceOf(rr.Before))}}
	var failed []string
	for _, c := range rr.Commands {
		out.Messages = append(out.Messages, fmt.Sprintf("%s (exit %d): %s", c.Command, c.ExitCode, strings.TrimSpace(c.Output)))
		if o := ops.ParseW32tm(c); o.Failed {
			failed = append(failed, fmt.Sprintf("%s (%s)", c.Command, hresultOrExit(o, c)))
		}
	}
	if len(failed) > 0 {
		return out, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, ops.TimeRestore, "failed: %s", strings.Join(failed, "; "))
	}
	return out, nil
}
