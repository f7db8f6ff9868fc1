package views

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/plans"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// hidden is a sensitive value as a plan records it.
var hidden = plans.Hidden("hmac-sha256:" + strings.Repeat("ab", 32))

// berlinSaturdays is the example playbook's change window.
var berlinSaturdays = func() plans.Window {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	w, err := plans.NewWindow("0 22 * * SAT", 4*time.Hour, berlin)
	if err != nil {
		panic(err)
	}
	return w
}()

// oneHost is a rollout of one host at a time.
var oneHost, _ = plans.ParseAmount("1")

func samplePlan() *plans.Plan {
	return &plans.Plan{
		FormatVersion: plans.FormatVersion,
		CreatedAt:     time.Date(2026, 11, 28, 22, 5, 0, 0, time.UTC),
		Salt:          plans.Salt(bytes.Repeat([]byte{9}, plans.SaltSize)),
		Playbook:      plans.PlaybookRef{Name: "exchange-454", Title: "Exchange 454 4.7.0 temporary authentication failure", KB: "979174", Digest: "sha256:0123456789abcdef0123"},
		Inventory:     plans.InventoryRef{Path: "inventory.hcl", Digest: "sha256:fedcba9876543210fedc"},
		Windows:       []plans.Window{berlinSaturdays},
		Rollout:       plans.Rollout{Serial: oneHost},
		Hosts:         []plans.Host{{Name: "ex01"}, {Name: "ex02"}, {Name: "dc01"}, {Name: "dc02", Error: "dc02: connect: dial tcp 127.1.0.22:5986: connection refused"}},
		Instances: []plans.Instance{
			{Address: "step.smtp[ex01]", Step: "smtp", Action: "ad.spn", Host: "ex01", Change: plans.Change{
				Action: plans.Create, Object: "SPNs on EX01$",
				Attrs:  []plans.Attr{{Name: "servicePrincipalName", After: []any{"SMTP/ex01.corp.example.com", "SMTPSVC/EX01"}}},
				Reason: "KB 979174 step 3: the Exchange server's computer account must hold its SMTP SPNs", KBStep: "3",
				Risk: "Low: adds values only; other accounts are not touched", Undo: "remove the two SPNs from EX01$",
				Payload: json.RawMessage(`{"add":["SMTP/ex01.corp.example.com","SMTPSVC/EX01"],"dn":"CN=EX01,OU=Exchange,DC=corp,DC=example,DC=com"}`)}},
			{Address: "step.smtp[ex02]", Step: "smtp", Action: "ad.spn", Host: "ex02", Change: plans.Change{
				Action: plans.Blocked, Object: "SPN SMTPSVC/ex02.corp.example.com",
				Reason:   "held by another account: CN=EX02-OLD,CN=Computers,DC=corp,DC=example,DC=com",
				Findings: []string{"EX02-OLD$ also holds HOST/ex02-old (2 SPNs)", "set resolve_conflicts = \"remove_from_other\" to remove it"}}},
			{Address: "step.kerberos_log[ex01]", Step: "kerberos_log", Action: "windows.registry_value", Host: "ex01", Change: plans.Change{
				Action: plans.Update, Object: `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters\LogLevel`,
				Attrs:  []plans.Attr{{Name: "data", Before: float64(0), After: float64(1)}},
				Reason: "KB 979174 step 5 | Kerberos logging", ExpiresIn: "24h0m0s", Undo: "restore 0",
				Payload: json.RawMessage(`{"data":1,"expect":{"data":0,"exists":true,"key_exists":true,"kind":"DWord"},"kind":"DWord","name":"LogLevel","path":"HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"}`)}},
			{Address: "step.service_password[ex01]", Step: "service_password", Action: "windows.registry_value", Host: "ex01", Change: plans.Change{
				Action: plans.Create, Object: `HKLM:\SOFTWARE\Vendor\Password`,
				Attrs:  []plans.Attr{{Name: "data", After: hidden, Sensitive: true}, {Name: "type", After: "String"}},
				Reason: "the playbook sets this value", Undo: "delete the value",
				Payload: json.RawMessage(`{"data":{"(sensitive)":"` + hidden["(sensitive)"].(string) + `"},"expect":{"exists":false,"key_exists":true},"kind":"String","name":"Password","path":"HKLM:\\SOFTWARE\\Vendor"}`)}},
			{Address: "step.push[dc01]", Step: "push", Action: "ad.replication", Host: "dc01", Triggered: true, Change: plans.Change{
				Action: plans.Run, Object: "repadmin /syncall dc01 /AdeP",
				Attrs:  []plans.Attr{{Name: "partitions", After: []any{"DC=corp,DC=example,DC=com", "CN=Configuration,DC=corp,DC=example,DC=com"}}},
				Reason: "KB 979174 step 2: replicate the SPN changes to every DC", Payload: json.RawMessage(`{"dc":"dc01","options":["/AdeP"]}`)}},
			{Address: "step.clocks[ex02]", Step: "clocks", Action: "windows.time_skew", Host: "ex02", Change: plans.Change{Action: plans.NoOp}},
			{Address: "step.kerberos_events[ex01]", Step: "kerberos_events", Action: "windows.event_query", Host: "ex01", Change: plans.Change{Action: plans.NoOp,
				Findings: []string{"2× Kerberos 0x7 KDC_ERR_S_PRINCIPAL_UNKNOWN: the SPN is missing or duplicated, last at 2026-11-28T21:50:00Z"}}},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func TestPlanText(t *testing.T) {
	var b bytes.Buffer
	if err := Plan(&b, samplePlan(), Style{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.txt", b.Bytes())
	if bytes.Contains(b.Bytes(), []byte("hmac-sha256")) {
		t.Errorf("the plan shows a sensitive value's hash instead of (sensitive)")
	}
}

func TestPayloadFenceHoldsBackticks(t *testing.T) {
	p := samplePlan()
	p.Instances[0].Change.Payload = json.RawMessage("{\"dn\":\"CN=a```\\n# injected\"}")
	var b bytes.Buffer
	if err := Markdown(&b, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "````json\n") {
		t.Errorf("a payload holding ``` is not fenced by a longer fence:\n%s", b.String())
	}
}

func TestPlanMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, samplePlan()); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.md", b.Bytes())
	if bytes.Contains(b.Bytes(), []byte("hmac-sha256")) {
		t.Errorf("the Markdown shows a sensitive value's hash instead of (sensitive)")
	}
}

func TestPlanJSON(t *testing.T) {
	var b bytes.Buffer
	if err := PlanJSON(&b, samplePlan()); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.json", b.Bytes())
}

func TestEmptyPlanSaysNoChanges(t *testing.T) {
	p := samplePlan()
	p.Hosts = p.Hosts[:1]
	p.Instances = p.Instances[5:6]
	var b bytes.Buffer
	if err := Plan(&b, p, Style{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("No changes.")) || !bytes.Contains(b.Bytes(), []byte("Plan: 0 to create, 0 to update, 0 to delete, 0 to run.")) {
		t.Errorf("empty plan output:\n%s", b.String())
	}
}
