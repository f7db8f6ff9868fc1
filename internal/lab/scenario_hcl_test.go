package lab

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestScenarioFileMatchesBuiltIn reads the built-in scenario written as
// HCL and gets the same data.
func TestScenarioFileMatchesBuiltIn(t *testing.T) {
	sc, diags := LoadScenario("testdata/scenarios/kb979174.hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(KB979174(), sc, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("scenario file (-built-in +file):\n%s", diff)
	}
}

// TestScenarioFileProblems reports every problem of a scenario file on
// its line.
func TestScenarioFileProblems(t *testing.T) {
	head := "scenario \"x\" {\n  domain = \"corp.example.com\"\n  netbios = \"CORP\"\n}\nhost \"dc01\" {\n  role = \"dc\"\n  site = \"HQ\"\n  pdc = true\n}\n"
	tests := []struct {
		name string
		body string
		want []string // "line: summary"
	}{
		{"bad role", "host \"ex01\" {\n  role = \"mailbox\"\n  site = \"HQ\"\n  dc = \"dc01\"\n}\n", []string{"11: Invalid role"}},
		{"unknown dc and peer", "host \"ex01\" {\n  role = \"exchange\"\n  site = \"HQ\"\n  dc = \"dc09\"\n  peers = [\"ex09\"]\n}\n", []string{"13: Unknown host", "14: Unknown host"}},
		{"dc is an Exchange server", "host \"ex01\" {\n  role = \"exchange\"\n  site = \"HQ\"\n  dc = \"ex01\"\n}\n", []string{"13: Wrong kind of host"}},
		{"bad duration", "host \"ex01\" {\n  role = \"exchange\"\n  site = \"HQ\"\n  dc = \"dc01\"\n  clock_offset = \"seven minutes\"\n}\n", []string{"14: Invalid duration"}},
		{"bad protocol and unknown target", "block {\n  from = \"dc01\"\n  to = \"dc07\"\n  port = 88\n  protocol = \"sctp\"\n}\n", []string{"12: Unknown host", "14: Invalid protocol"}},
		{"missing dc", "host \"ex01\" {\n  role = \"exchange\"\n  site = \"HQ\"\n}\n", []string{"10: Missing dc"}},
		{"connector: bad binding and range, a DC as server", "receive_connector \"Relay\" {\n  server = \"dc01\"\n  bindings = [\"0.0.0.0:2525\", \"0.0.0.0\"]\n  remote_ip_ranges = [\"10.0.0.0/33\"]\n  auth_mechanism = [\"Tls\"]\n  permission_groups = [\"ExchangeServers\"]\n}\n",
			[]string{"11: Wrong kind of host", "12: Invalid binding", "13: Invalid remote IP range"}},
		{"connector without ranges", "receive_connector \"Relay\" {\n  server = \"dc01\"\n  transport_role = \"Hub\"\n  bindings = [\"0.0.0.0:2525\"]\n  auth_mechanism = [\"Tls\"]\n  permission_groups = []\n}\n",
			[]string{"11: Wrong kind of host", "12: Invalid transport role", "10: Missing remote ranges"}},
		{"ticket on an unknown host", "cached_ticket {\n  host = \"ex09\"\n  spn = \"SMTPSVC/ex02\"\n  account = \"EX02-OLD\"\n}\n", []string{"11: Unknown host"}},
		{"bad hypervisor and policy type", "host \"ex01\" {\n  role = \"exchange\"\n  site = \"HQ\"\n  dc = \"dc01\"\n  hypervisor = \"xen\"\n  time_policy_type = \"SNTP\"\n}\n",
			[]string{"15: Invalid time policy type", "14: Invalid hypervisor"}},
		{"time sync and offset without a hypervisor", "host \"ex01\" {\n  role = \"exchange\"\n  site = \"HQ\"\n  dc = \"dc01\"\n  hypervisor_time_sync = true\n  hypervisor_clock_offset = \"soon\"\n}\n",
			[]string{"14: Time sync without a hypervisor", "15: Invalid duration", "15: Clock offset without a hypervisor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := ParseScenario([]byte(head+tt.body), "test.hcl")
			var got []string
			for _, d := range diags {
				line := 0
				if d.Subject != nil {
					line = d.Subject.Start.Line
				}
				got = append(got, itoa(line)+": "+d.Summary)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, strings.TrimSpace(diags.Error()))
			}
		})
	}
}

// TestShippedScenarios loads every scenario shipped in testdata/scenarios
// (the ones README documents) and seeds an organisation from it, so that
// a scenario that no longer loads or no longer makes sense fails CI.
func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.hcl")
	if err != nil || len(files) < 4 {
		t.Fatalf("shipped scenarios: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc, diags := LoadScenario(f)
			if len(diags) > 0 {
				t.Fatal(diags.Error())
			}
			if want := strings.TrimSuffix(filepath.Base(f), ".hcl"); sc.Name != want {
				t.Errorf("the scenario in %s is called %q", f, sc.Name)
			}
			ips := map[string]string{}
			for i, h := range sc.Hosts {
				ips[h.Name] = "10.0.0." + itoa(11+i)
			}
			if _, _, err := seedOrg(sc, ips, time.Now); err != nil {
				t.Fatalf("seed: %v", err)
			}
		})
	}
}
