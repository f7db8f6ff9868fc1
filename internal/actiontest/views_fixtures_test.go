package actiontest

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/testenv"
	"github.com/rectifyhq/rectify/plans"
)

var updateFixtures = flag.Bool("update", false, "rewrite the change fixtures of internal/views/testdata/changes")

// fixtureDir holds one plan per built-in action, with every kind of
// change the action makes, as planned against the lab. internal/views
// renders each as text and Markdown and compares them with its golden
// files, so that what a reviewer approves is checked for every change of
// every action, from changes the actions really make.
const fixtureDir = "../views/testdata/changes"

// fixtureClock is the lab's fixed time, so that the fixtures are the same
// on every run.
var fixtureClock = time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)

// collected gathers instances per action, each labelled with the kind of
// change it shows.
type collected map[string][]plans.Instance

// take adds the instance of step on host of p, and checks that it is the
// kind of change wanted.
func (c collected) take(t *testing.T, p *plans.Plan, step, host string, want plans.Action) {
	t.Helper()
	in := Instance(t, p, step, host)
	if in.Error != "" {
		t.Fatalf("%s: %s", in.Address, in.Error)
	}
	if in.Change.Action != want {
		t.Fatalf("%s: planned %s (%s), want %s", in.Address, in.Change.Action, in.Change.Reason, want)
	}
	if want == plans.NoOp && len(in.Change.Findings) == 0 {
		t.Fatalf("%s: a no-op without findings shows nothing", in.Address)
	}
	c[in.Action] = append(c[in.Action], in)
}

func fixedLab(o *lab.Options) { o.Clock = func() time.Time { return fixtureClock } }

// TestChangeFixtures plans every built-in action into each kind of change
// it makes (create, update, delete, a revert, run, blocked, and the
// findings of a no-op) against the lab, and checks the fixtures hold
// exactly these plans; with -update it writes them.
func TestChangeFixtures(t *testing.T) {
	testenv.SkipShort(t, "starts several labs")
	got := collected{}
	kbLabChanges(t, got)
	relayLabChanges(t, got)
	dcSkewLabChanges(t, got)

	for _, id := range builtinIDs() {
		if len(got[id]) == 0 {
			t.Errorf("no change fixture for %s: add its changes to TestChangeFixtures", id)
		}
	}
	for id, ins := range got {
		p := fixturePlan(id, ins)
		b, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		path := filepath.Join(fixtureDir, id+".json")
		if *updateFixtures {
			if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/actiontest -run TestChangeFixtures -update)", err)
		}
		if diff := cmp.Diff(string(want), string(b)); diff != "" {
			t.Errorf("%s is not what %s plans now (-fixture +planned); run with -update and review the views' golden files:\n%s", path, id, diff)
		}
	}
}

func builtinIDs() []string { return builtin.Registry().IDs() }

// fixturePlan is a plan of the collected instances, with what varies from
// run to run (time, salt, digests, observations) fixed or left out.
func fixturePlan(id string, ins []plans.Instance) *plans.Plan {
	p := &plans.Plan{
		FormatVersion: plans.FormatVersion, CreatedAt: fixtureClock, RectifyVersion: "test",
		Salt:      plans.Salt(bytes.Repeat([]byte{7}, plans.SaltSize)),
		Playbook:  plans.PlaybookRef{Name: "changes-of-" + id, Title: "Every kind of change of " + id, Path: "lab", Digest: "sha256:0000000000000000"},
		Inventory: plans.InventoryRef{Path: "lab.hcl", Digest: "sha256:1111111111111111"},
	}
	hosts := map[string]bool{}
	for _, in := range ins {
		in.Config, in.Observed, in.ObservedDigest = json.RawMessage("{}"), nil, ""
		in.Change = withoutRoundTrips(in.Change)
		p.Instances = append(p.Instances, in)
		if !hosts[in.Host] {
			hosts[in.Host] = true
			p.Hosts = append(p.Hosts, plans.Host{Name: in.Host})
		}
	}
	sort.Slice(p.Hosts, func(i, j int) bool { return p.Hosts[i].Name < p.Hosts[j].Name })
	return p
}

// roundTrip is a clock reading's uncertainty as a reason shows it: half
// the read's round trip, which differs from run to run.
var roundTrip = regexp.MustCompile(`±\d+ms`)

// withoutRoundTrips masks the measured round trips in a change's texts.
func withoutRoundTrips(c plans.Change) plans.Change {
	mask := func(s string) string { return roundTrip.ReplaceAllString(s, "±(round trip)") }
	c.Reason = mask(c.Reason)
	for i := range c.Findings {
		c.Findings[i] = mask(c.Findings[i])
	}
	return c
}

// canonicalAddresses maps the lab's host addresses to those it uses where
// loopback aliases can be bound (127.1.0.11 and on), so that the fixtures
// do not depend on the machine.
func canonicalAddresses(t *testing.T, h *Harness, ins []plans.Instance) {
	t.Helper()
	var pairs []string
	addr := netip.MustParseAddr("127.1.0.11")
	for _, lh := range h.Lab.Org().Hosts() {
		if lh.IP != addr.String() {
			pairs = append(pairs, lh.IP, addr.String())
		}
		addr = addr.Next()
	}
	if len(pairs) == 0 {
		return
	}
	r := strings.NewReplacer(pairs...)
	for i := range ins {
		b, err := json.Marshal(ins[i].Change)
		if err != nil {
			t.Fatal(err)
		}
		var c plans.Change
		if err := json.Unmarshal([]byte(r.Replace(string(b))), &c); err != nil {
			t.Fatal(err)
		}
		ins[i].Change = c
	}
}

// kbLabChanges plans most actions against the KB 979174 scenario.
func kbLabChanges(t *testing.T, got collected) {
	h := Start(t, lab.KB979174(), fixedLab)
	h.Engine.Now = func() time.Time { return fixtureClock }
	c := collected{}
	exchange, dcs := h.Group("exchange"), h.Group("dc")
	list := func(vs ...string) cty.Value {
		var out []cty.Value
		for _, v := range vs {
			out = append(out, str(v))
		}
		return cty.ListVal(out)
	}

	clocks := h.Step(t, "windows.time_skew", "clocks", exchange, map[string]cty.Value{"against": group(h, "dc"), "max_skew": str("4m")})
	smtp := h.Step(t, "ad.spn", "smtp", exchange, nil)
	repl := h.Step(t, "ad.replication", "replication", dcs, nil)
	repl.TriggeredBy = []string{"smtp"}
	push := h.Step(t, "ad.replication", "push", dcs[:1], map[string]cty.Value{"method": str("push")})
	push.TriggeredBy = []string{"smtp"}
	dups := h.Step(t, "ad.spn_duplicates", "duplicates", dcs[:1], map[string]cty.Value{"services": list("SMTP", "SMTPSVC")})
	ports := h.Step(t, "net.kerberos_ports", "ports", exchange, map[string]cty.Value{"against": group(h, "dc")})
	connector := h.Step(t, "exchange.receive_connector_auth", "connector", exchange, nil)
	tickets := h.Step(t, "exchange.ticket_purge", "tickets", exchange, nil)
	queues := h.Step(t, "exchange.queue", "queues", exchange, map[string]cty.Value{"wait": str("30s"), "poll": str("1s")})
	events := h.Step(t, "windows.event_query", "transport", exchange, map[string]cty.Value{"preset": str("transport_1035")})
	tls := h.Step(t, "windows.powershell", "tls", exchange, map[string]cty.Value{
		"check":   str("# rectify:op user.tls12 v1\nparam([string]$ArgsBase64)\n"),
		"apply":   str("# rectify:op user.tls12_set v1\nparam([string]$ArgsBase64)\n"),
		"desired": cty.ObjectVal(map[string]cty.Value{"enabled": cty.True}),
		"object":  str("TLS 1.2 for .NET"),
	})
	p := h.Plan(t, clocks, smtp, repl, push, dups, ports, connector, tickets, queues, events, tls)
	c.take(t, p, "clocks", "ex01", plans.Run)
	c.take(t, p, "smtp", "ex01", plans.Update)
	c.take(t, p, "smtp", "ex02", plans.Blocked)
	c.take(t, p, "replication", "dc02", plans.Run)
	c.take(t, p, "push", "dc01", plans.Blocked)
	c.take(t, p, "duplicates", "dc01", plans.NoOp)
	c.take(t, p, "ports", "ex02", plans.Blocked)
	c.take(t, p, "connector", "ex02", plans.Update)
	c.take(t, p, "connector", "ex01", plans.NoOp)
	c.take(t, p, "tickets", "ex01", plans.Run)
	c.take(t, p, "queues", "ex01", plans.Run)
	c.take(t, p, "transport", "ex02", plans.NoOp)
	c.take(t, p, "tls", "ex01", plans.Update)

	// An SPN held by another account, removed from it on request; an
	// account the directory lacks.
	remove := h.Step(t, "ad.spn", "smtp_remove", exchange[1:], map[string]cty.Value{"resolve_conflicts": str("remove_from_other")})
	missing := h.Step(t, "ad.spn", "smtp_missing", exchange[:1], map[string]cty.Value{"account": str("EX09$")})
	p = h.Plan(t, remove, missing)
	c.take(t, p, "smtp_remove", "ex02", plans.Update)
	c.take(t, p, "smtp_missing", "ex01", plans.Blocked)

	// A host whose session holds no credential for the management
	// endpoint cannot read its queues.
	h.SetSession("ex02", actions.Session{Auth: "basic"})
	p = h.Plan(t, tickets, queues)
	c.take(t, p, "tickets", "ex02", plans.Blocked)
	c.take(t, p, "queues", "ex02", plans.Blocked)
	h.SetSession("ex02", actions.Session{Auth: "ntlm", Credential: true})

	// A registry value: created (with its key on ex01), changed, deleted,
	// and a temporary one reverted once it expired.
	regAttrs := func(value int64, extra map[string]cty.Value) map[string]cty.Value {
		m := map[string]cty.Value{
			"path": str(`HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`), "name": str("LogLevel"),
			"type": str("dword"), "value": cty.NumberIntVal(value), "kb_step": str("5"),
			"reason": str("Kerberos event logging (KB 262177) names the failing principal"),
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	logOn := h.Step(t, "windows.registry_value", "kerberos_log", exchange, regAttrs(1, map[string]cty.Value{"expires": str("24h")}))
	p = h.Plan(t, logOn)
	c.take(t, p, "kerberos_log", "ex01", plans.Create)
	c.take(t, p, "kerberos_log", "ex02", plans.Create)
	res := h.Apply(t, p)
	if !res.OK() {
		t.Fatalf("apply the registry values: %+v", res.Changes)
	}
	// What the journal remembers of the change, 25 hours later.
	in := h.Input(logOn)
	in.Memory = map[string]*actions.Memory{}
	for _, r := range res.Changes {
		ch := Instance(t, p, "kerberos_log", r.Host).Change
		in.Memory[r.Address] = &actions.Memory{Action: ch.Action, Applied: r.Finished, Undo: r.Undo, Expires: engine.ExpiryOf(ch, r.Finished)}
	}
	h.Engine.Now = func() time.Time { return res.Changes[0].Finished.Add(25 * time.Hour) }
	p, err := h.Engine.Plan(t.Context(), in, h.Conns)
	if err != nil {
		t.Fatal(err)
	}
	c.take(t, p, "kerberos_log", "ex01", plans.Delete)
	h.Engine.Now = func() time.Time { return fixtureClock }
	verbose := h.Step(t, "windows.registry_value", "kerberos_log_verbose", exchange[1:], regAttrs(3, nil))
	absent := h.Step(t, "windows.registry_value", "kerberos_log_off", exchange[1:], regAttrs(0, map[string]cty.Value{"ensure": str("absent"), "value": cty.NullVal(cty.DynamicPseudoType)}))
	p = h.Plan(t, verbose, absent)
	c.take(t, p, "kerberos_log_verbose", "ex02", plans.Update)
	c.take(t, p, "kerberos_log_off", "ex02", plans.Delete)

	for id, ins := range c {
		canonicalAddresses(t, h, ins)
		got[id] = append(got[id], ins...)
	}
}

// relayLabChanges plans the connector step where a relay connector takes
// the other server's mail: the cause is reported, not changed.
func relayLabChanges(t *testing.T, got collected) {
	sc, diags := lab.LoadScenario("../lab/testdata/scenarios/two-site-relay.hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	h := Start(t, sc, fixedLab)
	h.Engine.Now = func() time.Time { return fixtureClock }
	c := collected{}
	p := h.Plan(t, h.Step(t, "exchange.receive_connector_auth", "connector", h.Group("exchange"), nil))
	c.take(t, p, "connector", "ex02", plans.Blocked)
	for id, ins := range c {
		canonicalAddresses(t, h, ins)
		got[id] = append(got[id], ins...)
	}
}

// dcSkewLabChanges plans the clock step when a domain controller's own
// clock is off: members are not resynced against it, and the DC itself
// is not resynced against itself.
func dcSkewLabChanges(t *testing.T, got collected) {
	sc := lab.KB979174()
	for i := range sc.Hosts {
		if sc.Hosts[i].Name == "dc02" {
			sc.Hosts[i].ClockOffset = 9 * time.Minute
		}
	}
	h := Start(t, sc, fixedLab)
	h.Engine.Now = func() time.Time { return fixtureClock }
	c := collected{}
	members := h.Step(t, "windows.time_skew", "clocks", h.Group("exchange"), map[string]cty.Value{"against": group(h, "dc")})
	dcs := h.Step(t, "windows.time_skew", "dc_clocks", []string{"dc02"}, map[string]cty.Value{"against": cty.ListVal([]cty.Value{str("dc01")})})
	p := h.Plan(t, members, dcs)
	c.take(t, p, "clocks", "ex01", plans.Blocked)
	c.take(t, p, "dc_clocks", "dc02", plans.Blocked)
	for id, ins := range c {
		canonicalAddresses(t, h, ins)
		got[id] = append(got[id], ins...)
	}
}
