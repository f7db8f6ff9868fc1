package playbooks

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rectifyhq/rectify/plans"
)

// stepSummary is what a test compares of a resolved step.
type stepSummary struct {
	Name        string
	Action      string
	Targets     []string
	DependsOn   []string
	TriggeredBy []string
	Triggers    []string
	Config      string
}

func summarize(t *testing.T, r *Resolved) []stepSummary {
	t.Helper()
	var out []stepSummary
	for _, s := range r.Steps {
		v, _ := s.Config.Value.UnmarkDeep()
		js, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatalf("step %s: %v", s.Name, err)
		}
		out = append(out, stepSummary{
			Name: s.Name, Action: s.Step.ActionID, Targets: s.Targets,
			DependsOn: s.DependsOn, TriggeredBy: s.TriggeredBy, Triggers: s.Triggers,
			Config: string(js),
		})
	}
	return out
}

func TestResolveExchange454(t *testing.T) {
	p, r, diags := loadAndEvaluate(t, "testdata/valid/exchange-454", EvalInput{Hosts: testHosts(), Groups: testGroups})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", render(t, p, r, diags))
	}
	want := []stepSummary{
		{Name: "clocks", Action: "windows.time_skew", Targets: []string{"ex01", "ex02"},
			Config: `{"against":["dc01","dc02"],"kb_step":null,"max_skew":"4m","resync":true}`},
		{Name: "smtp", Action: "ad.spn", Targets: []string{"ex01", "ex02"}, DependsOn: []string{"clocks"}, Triggers: []string{"push"},
			Config: `{"account":null,"kb_step":null,"resolve_conflicts":"report","services":["SMTP","SMTPSVC"]}`},
		{Name: "push", Action: "ad.replication", Targets: []string{"dc01", "dc02"}, TriggeredBy: []string{"smtp"},
			Config: `{"kb_step":null,"method":"push","options":"AdeP","partitions":null,"push_from":null,"retries":1,"timeout":"10m"}`},
		{Name: "ports", Action: "net.kerberos_ports", Targets: []string{"ex01"},
			Config: `{"against":["dc01","dc02"],"kb_step":null,"ports":null,"timeout":"2s"}`},
		{Name: "kerberos_log", Action: "windows.registry_value", Targets: []string{"ex01", "ex02"},
			Config: `{"ensure":"present","expires":"24h","kb_step":null,"name":"LogLevel","path":"HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters","reason":null,"type":"dword","value":1}`},
		{Name: "internal", Action: "exchange.receive_connector_auth", Targets: []string{"ex01"}, DependsOn: []string{"clocks", "ports"},
			Config: `{"allowed_groups":null,"auth_mechanisms":["Tls","ExchangeServer"],"identity":"EX01\\Default EX01","kb_step":null,"permission_groups":["ExchangeServers"],"server":null}`},
	}
	if diff := cmp.Diff(want, summarize(t, r)); diff != "" {
		t.Errorf("resolved steps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dc01", "ex01", "dc02", "ex02"}, r.Hosts()); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}

	// The static parts.
	if p.Name != "exchange-454" || p.KB != "979174" || p.Title == "" {
		t.Errorf("playbook block: name %q, kb %q, title %q", p.Name, p.KB, p.Title)
	}
	if got := batchSize(t, p.Rollout, 2); got != 1 || p.Rollout.MaxFail.Of(2) != 0 {
		t.Errorf("rollout: batch %d, max_fail %d", got, p.Rollout.MaxFail.Of(2))
	}
	if p.Drift == nil || p.Drift.Mode != DriftMonitor || p.Drift.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) != 15*time.Minute {
		t.Errorf("drift: %+v", p.Drift)
	}
	if s, _ := p.Step("kerberos_log"); s.AutoCorrect || s.Description == "" {
		t.Errorf("kerberos_log: auto_correct %v, description %q", s.AutoCorrect, s.Description)
	}
	if s, _ := p.Step("clocks"); !s.AutoCorrect {
		t.Errorf("clocks: auto_correct defaults to true")
	}
	if len(p.Files) != 2 || p.Digest[:7] != "sha256:" {
		t.Errorf("files %d, digest %q", len(p.Files), p.Digest)
	}
}

func TestResolveWithoutInventory(t *testing.T) {
	p, r, diags := loadAndEvaluate(t, "testdata/valid/exchange-454", EvalInput{})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", render(t, p, r, diags))
	}
	for _, s := range r.Steps {
		if s.Targets != nil {
			t.Errorf("step %s: targets %v without an inventory", s.Name, s.Targets)
		}
	}
	clocks, _ := r.Step("clocks")
	if clocks.Config.Raw("against").IsKnown() {
		t.Errorf("against is known without an inventory")
	}
	if got := clocks.Config.String("max_skew"); got != "4m" {
		t.Errorf("max_skew = %q", got)
	}
	if r.Hosts() != nil {
		t.Errorf("hosts without an inventory: %v", r.Hosts())
	}
}

func TestResolveExpressions(t *testing.T) {
	p, r, diags := loadAndEvaluate(t, "testdata/valid/expressions", EvalInput{Hosts: testHosts(), Groups: testGroups})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", render(t, p, r, diags))
	}
	want := []stepSummary{
		{Name: "connector", Action: "exchange.receive_connector_auth", Targets: []string{"ex01", "ex02"}, Triggers: nil,
			Config: `{"allowed_groups":null,"auth_mechanisms":["Tls","ExchangeServer"],"identity":"ex01\\Default EX01","kb_step":null,"permission_groups":["ExchangeServers"],"server":null}`},
		{Name: "after", Action: "ad.replication", Targets: []string{"dc01"}, DependsOn: []string{"connector"},
			Config: `{"kb_step":"after connector","method":"push","options":"AdeP","partitions":null,"push_from":"dc01","retries":1,"timeout":"10m"}`},
	}
	if diff := cmp.Diff(want, summarize(t, r)); diff != "" {
		t.Errorf("resolved steps (-want +got):\n%s", diff)
	}
	if batchSize(t, p.Rollout, 4) != 2 || p.Rollout.MaxFail.Of(4) != 1 || batchSize(t, p.Rollout, 1) != 1 {
		t.Errorf("rollout: %+v", p.Rollout)
	}
}

func TestResolveHostSelections(t *testing.T) {
	p, r, diags := loadAndEvaluate(t, "testdata/valid/single-file/playbook.hcl", EvalInput{Hosts: testHosts(), Groups: testGroups})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", render(t, p, r, diags))
	}
	got := map[string][]string{}
	for _, s := range r.Steps {
		got[s.Name] = s.Targets
	}
	want := map[string][]string{
		"tls12":    {"ex01", "ex02"}, // "ex01", host.ex02 and group.exchange, deduplicated
		"everyone": {"ex01", "ex02"},
		"all_dcs":  {"dc01", "dc02"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// batchSize returns the batch size of total targets under r, as apply
// takes it from the plan.
func batchSize(t *testing.T, r *Rollout, total int) int {
	t.Helper()
	serial, err := r.Serial.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return plans.Rollout{Serial: serial}.BatchSize(total)
}
