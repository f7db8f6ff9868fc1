package actiontest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/windows"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/plans"
)

// scenario loads one of the lab's shipped scenarios.
func scenario(t *testing.T, name string) lab.Scenario {
	t.Helper()
	sc, diags := lab.LoadScenario("../lab/testdata/scenarios/" + name + ".hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return sc
}

func clockStep(t *testing.T, h *Harness) engine.Step {
	return h.Step(t, "windows.time_skew", "clocks", h.Group("exchange"), map[string]cty.Value{"against": group(h, "dc")})
}

// offsetOf is how far a lab host's clock is off.
func offsetOf(t *testing.T, h *Harness, name string) time.Duration {
	t.Helper()
	lh, ok := h.Lab.Host(name)
	if !ok {
		t.Fatalf("no lab host %s", name)
	}
	return lh.ClockOffset()
}

// w32timeSource is a lab host's W32Time Type and NtpServer.
func w32timeSource(t *testing.T, h *Harness, name string) (string, string) {
	t.Helper()
	lh, _ := h.Lab.Host(name)
	typ, _, _ := lh.RegistryValue(lab.W32TimeParametersKey, "Type")
	peers, _, _ := lh.RegistryValue(lab.W32TimeParametersKey, "NtpServer")
	a, _ := typ.Data.(string)
	b, _ := peers.Data.(string)
	return a, b
}

// TestClocksOffInOppositeDirections runs the shipped scenario through the
// engine: ex01 3m30s ahead and ex02 3m30s behind are each within 4 minutes
// of their DCs but 7 minutes apart, so both are resynced; the next plan is
// empty; and undo puts each server's manual NTP source back.
func TestClocksOffInOppositeDirections(t *testing.T) {
	h := Start(t, scenario(t, "clocks-opposite"))
	causes, err := h.Lab.Causes("ex01", "ex02")
	if err != nil || len(causes) == 0 || causes[0].Kind != lab.CauseClockSkew {
		t.Fatalf("the scenario does not break Kerberos between ex01 and ex02: %+v %v", causes, err)
	}
	step := clockStep(t, h)
	p := h.Plan(t, step)
	for _, host := range []string{"ex01", "ex02"} {
		in := Instance(t, p, "clocks", host)
		if in.Error != "" || in.Change.Action != plans.Run {
			t.Fatalf("%s: %s %s (%s) %q; want a resync", host, in.Change.Action, in.Error, in.Change.Reason, in.Change.Findings)
		}
		// Each is judged against the one reference, the domain's time:
		// within half the limit of it, every pair is within the limit.
		if !strings.Contains(in.Change.Reason, "3m30s") || !strings.Contains(in.Change.Reason, "half the 4m0s allowed between any two clocks") {
			t.Errorf("%s: the reason does not say how far off it is and why that is too far: %q", host, in.Change.Reason)
		}
		if !strings.Contains(in.Change.Undo, ".example.net,0x8") {
			t.Errorf("%s: undo %q does not name the manual NTP source it keeps", host, in.Change.Undo)
		}
	}

	res := h.Apply(t, p)
	if !res.OK() {
		t.Fatalf("apply: %+v not converged %v", res.Changes, res.NotConverged)
	}
	undo := map[string][]byte{}
	for _, c := range res.Changes {
		if c.Status != plans.Applied || !c.Converged || len(c.Undo) == 0 {
			t.Errorf("%s: %s converged=%v undo=%s", c.Address, c.Status, c.Converged, c.Undo)
		}
		undo[c.Host] = c.Undo
	}
	for _, host := range []string{"ex01", "ex02"} {
		if off := offsetOf(t, h, host); off != 0 {
			t.Errorf("%s is %s off after the resync", host, off)
		}
		if typ, _ := w32timeSource(t, h, host); typ != "NT5DS" {
			t.Errorf("%s follows %s after the resync", host, typ)
		}
	}
	if causes, _ := h.Lab.Causes("ex01", "ex02"); len(causes) != 0 {
		t.Errorf("Kerberos between ex01 and ex02 still fails: %+v", causes)
	}
	if left := h.Plan(t, step); left.HasChanges() {
		t.Errorf("the plan after the resync still changes: %+v", left.Summary())
	}

	// Undo: the manual sources come back, and the clocks follow them.
	for host, want := range map[string]string{"ex01": "ntp1.example.net,0x8", "ex02": "ntp2.example.net,0x8"} {
		hostInfo, _ := h.topology().Host(host)
		inst := actions.Instance{Step: "clocks", Host: hostInfo, Targets: step.Targets, Config: step.Config, Topology: h.topology(), Now: time.Now()}
		if _, err := (windows.TimeSkew{}).Undo(context.Background(), inst, undo[host], h.Conns); err != nil {
			t.Fatalf("undo on %s: %v", host, err)
		}
		if typ, peers := w32timeSource(t, h, host); typ != "NTP" || peers != want {
			t.Errorf("%s after undo: Type %q NtpServer %q, want NTP %q", host, typ, peers, want)
		}
	}
	if a, b := offsetOf(t, h, "ex01"), offsetOf(t, h, "ex02"); a != 210*time.Second || b != -210*time.Second {
		t.Errorf("after undo the clocks are %s and %s, want their sources' +3m30s and -3m30s", a, b)
	}
}

// TestClocksHeldByHypervisorOrPolicy checks that a resync is not planned
// where it would not hold: a Hyper-V guest taking the host's time, a Group
// Policy naming another NTP source, VMware Tools setting the clock. Each
// is blocked with what to change; once the operator changes it, the
// resync is planned and holds.
func TestClocksHeldByHypervisorOrPolicy(t *testing.T) {
	h := Start(t, scenario(t, "clocks-held"))
	step := clockStep(t, h)
	p := h.Plan(t, step)
	for host, want := range map[string]string{
		"ex01": "VM IC time provider",
		"ex02": "Group Policy sets W32Time's source to NTP ntp.branch.example,0x8",
		"ex03": "VMware Tools set the clock",
	} {
		in := Instance(t, p, "clocks", host)
		if in.Change.Action != plans.Blocked || !strings.Contains(in.Change.Reason, want) {
			t.Errorf("%s: %s (%s); want blocked because of %q", host, in.Change.Action, in.Change.Reason, want)
		}
	}

	// The operator turns VMware Tools' time sync off on ex03.
	var out, errOut bytes.Buffer
	if code := h.Lab.Org().Run(context.Background(), "ex03", `"C:\Program Files\VMware\VMware Tools\VMwareToolboxCmd.exe" timesync disable`, "", nil, nil, &out, &errOut); code != 0 {
		t.Fatalf("timesync disable: %d %s %s", code, out.String(), errOut.String())
	}
	p = h.Plan(t, step)
	if in := Instance(t, p, "clocks", "ex03"); in.Change.Action != plans.Run {
		t.Fatalf("ex03 after time sync is off: %s (%s)", in.Change.Action, in.Change.Reason)
	}
	res := h.Apply(t, p)
	for _, c := range res.Changes {
		if c.Host == "ex03" && (c.Status != plans.Applied || !c.Converged) {
			t.Errorf("ex03: %s converged=%v %s", c.Status, c.Converged, c.Error)
		}
	}
	if off := offsetOf(t, h, "ex03"); off != 0 {
		t.Errorf("ex03 is %s off after the resync", off)
	}
	for _, host := range []string{"ex01", "ex02"} {
		if offsetOf(t, h, host) == 0 {
			t.Errorf("%s was changed although its change was blocked", host)
		}
	}
}

// TestClockTooUncertainToJudge checks that a clock whose reading is
// uncertain by more than the margin to the limit is not judged: ex01 is
// 2m0.2s ahead, 0.2s beyond the 2m each host may be off; read over a slow
// link the reading's uncertainty (half the round trip) is larger than
// that, and the change is blocked; read fast, it is a resync.
func TestClockTooUncertainToJudge(t *testing.T) {
	sc := scenario(t, "clocks-opposite")
	for i := range sc.Hosts {
		switch sc.Hosts[i].Name {
		case "ex01":
			sc.Hosts[i].ClockOffset = 2*time.Minute + 200*time.Millisecond
		case "ex02":
			sc.Hosts[i].ClockOffset = 0
		}
	}
	h := Start(t, sc)
	step := clockStep(t, h)
	if err := h.Lab.SetWinRMFaults("ex01", wsman.Faults{Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	in := Instance(t, h.Plan(t, step), "clocks", "ex01")
	if in.Change.Action != plans.Blocked || !strings.Contains(in.Change.Reason, "cannot judge the clock(s) of ex01") {
		t.Fatalf("over a slow link: %s (%s); want blocked, not judged", in.Change.Action, in.Change.Reason)
	}
	if err := h.Lab.SetWinRMFaults("ex01", wsman.Faults{}); err != nil {
		t.Fatal(err)
	}
	in = Instance(t, h.Plan(t, step), "clocks", "ex01")
	if in.Change.Action != plans.Run {
		t.Fatalf("over a fast link: %s (%s); want a resync", in.Change.Action, in.Change.Reason)
	}
}

// TestClockMeasuredAgainAtApply checks that apply's re-plan, which reads
// the clocks again, accepts a skew measured a little differently from the
// reviewed one: the measurement is shown, not what the change does (the
// resync, from the same source, on the same host).
func TestClockMeasuredAgainAtApply(t *testing.T) {
	h := Start(t, scenario(t, "clocks-opposite"))
	step := clockStep(t, h)
	p := h.Plan(t, step)
	before := Instance(t, p, "clocks", "ex01")
	if before.Change.Action != plans.Run {
		t.Fatalf("ex01: %s (%s); want a resync", before.Change.Action, before.Change.Reason)
	}
	ex01, _ := h.Lab.Host("ex01")
	ex01.SetClockOffset(ex01.ClockOffset() + 5*time.Second)
	res := h.Apply(t, onlyInstance(p, "step.clocks[ex01]"), step)
	if len(res.Changes) != 1 || res.Changes[0].Status != plans.Applied || !res.Changes[0].Converged {
		t.Fatalf("apply after the clock moved 5s: %+v", res.Changes)
	}
	if off := offsetOf(t, h, "ex01"); off != 0 {
		t.Errorf("ex01 is %s off after the resync", off)
	}
}

// TestClockResyncFailureInJapanese checks that a resync that fails on a
// Japanese Windows is a failed change, told by w32tm's HRESULT and not by
// its sentence, and that its undo data is kept all the same.
func TestClockResyncFailureInJapanese(t *testing.T) {
	h := Start(t, scenario(t, "clocks-opposite"), func(o *lab.Options) { o.Locale = lab.LocaleJapanese })
	ex01, _ := h.Lab.Host("ex01")
	ex01.SetService("w32time", "Stopped")
	step := clockStep(t, h)
	p := h.Plan(t, step)
	res := h.Apply(t, onlyInstance(p, "step.clocks[ex01]"), step)
	c := res.Changes[0]
	if c.Status != plans.Failed || !strings.Contains(c.Error, "0x80070426") {
		t.Fatalf("resync with w32time stopped: %s %q; want failed with the HRESULT", c.Status, c.Error)
	}
	if len(c.Undo) == 0 {
		t.Error("the failed resync kept no undo data, though it may have changed W32Time's settings")
	}
	if !strings.Contains(strings.Join(c.Messages, "\n"), "次のエラーが発生しました") {
		t.Errorf("w32tm's output is not shown as it was printed: %q", c.Messages)
	}
}
