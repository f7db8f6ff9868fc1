package ad

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

func spnInstance(policy string) actions.Instance {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"services":          cty.ListVal([]cty.Value{cty.StringVal("SMTP"), cty.StringVal("SMTPSVC")}),
		"account":           cty.NullVal(cty.String),
		"resolve_conflicts": cty.StringVal(policy),
		"kb_step":           cty.StringVal("3"),
	}))
	return actions.Instance{Step: "smtp", Host: actions.Host{Name: "ex02", FQDN: "ex02.corp.example.com", Domain: "corp.example.com"}, Config: cfg}
}

func computer(dn, sam string, uac string, spns ...string) actions.Entry {
	return actions.Entry{DN: dn, Attributes: map[string][]string{"sAMAccountName": {sam}, "userAccountControl": {uac}, "servicePrincipalName": spns}}
}

func TestWantedSPNs(t *testing.T) {
	got := WantedSPNs(actions.Host{Name: "ex01", FQDN: "EX01.Corp.Example.com"}, []string{"SMTP", "SMTPSVC"})
	want := []string{"SMTP/EX01", "SMTP/ex01.corp.example.com", "SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestSPNPlan(t *testing.T) {
	self := "CN=EX02,CN=Computers,DC=corp,DC=example,DC=com"
	old := "CN=EX02-OLD,CN=Computers,DC=corp,DC=example,DC=com"
	full := computer(self, "EX02$", "4096", "SMTP/EX02", "smtp/ex02.corp.example.com", "SMTPSVC/EX02", "SMTPSVC/ex02.corp.example.com", "HOST/EX02")
	partial := computer(self, "EX02$", "4096", "SMTP/EX02", "SMTPSVC/EX02")
	stale := computer(old, "EX02-OLD$", "4098", "SMTPSVC/ex02.corp.example.com", "HOST/ex02-old")
	// SPNs and DNs compare without regard to case in AD: a holder's value
	// in other letters is the same SPN (Kerberos cannot tell the accounts
	// apart), and the Global Catalog may spell the account's own DN
	// otherwise than the domain's lookup did.
	staleShouting := computer(old, "EX02-OLD$", "4098", "smtpsvc/EX02.CORP.EXAMPLE.COM", "HOST/ex02-old")
	fullOtherDN := computer("cn=ex02,cn=computers,DC=Corp,DC=Example,DC=Com", "EX02$", "4096", "SMTP/EX02", "smtp/ex02.corp.example.com", "SMTPSVC/EX02", "SMTPSVC/ex02.corp.example.com", "HOST/EX02")
	tests := []struct {
		name     string
		policy   string
		account  []actions.Entry
		holders  []actions.Entry
		want     plans.Action
		wantAdd  []string
		findings int
	}{
		{name: "all present, case differs", policy: "report", account: []actions.Entry{full}, holders: []actions.Entry{full}, want: plans.NoOp},
		{name: "two missing", policy: "report", account: []actions.Entry{partial}, holders: []actions.Entry{partial}, want: plans.Update,
			wantAdd: []string{"SMTP/ex02.corp.example.com", "SMTPSVC/ex02.corp.example.com"}},
		{name: "duplicate only", policy: "report", account: []actions.Entry{full}, holders: []actions.Entry{full, stale}, want: plans.Blocked, findings: 2},
		{name: "missing one held elsewhere", policy: "report", account: []actions.Entry{partial}, holders: []actions.Entry{partial, stale}, want: plans.Update,
			wantAdd: []string{"SMTP/ex02.corp.example.com"}, findings: 2},
		{name: "remove from other", policy: "remove_from_other", account: []actions.Entry{partial}, holders: []actions.Entry{partial, stale}, want: plans.Update,
			wantAdd: []string{"SMTP/ex02.corp.example.com", "SMTPSVC/ex02.corp.example.com"}, findings: 1},
		{name: "no account", policy: "report", holders: nil, want: plans.Blocked, findings: 1},
		{name: "duplicate in other letters", policy: "report", account: []actions.Entry{full}, holders: []actions.Entry{full, staleShouting}, want: plans.Blocked, findings: 2},
		{name: "missing one held elsewhere in other letters", policy: "report", account: []actions.Entry{partial}, holders: []actions.Entry{partial, staleShouting}, want: plans.Update,
			wantAdd: []string{"SMTP/ex02.corp.example.com"}, findings: 2},
		{name: "own DN in other letters from the Global Catalog", policy: "report", account: []actions.Entry{full}, holders: []actions.Entry{fullOtherDN}, want: plans.NoOp},
		{name: "own DN in other letters beside a duplicate", policy: "remove_from_other", account: []actions.Entry{full}, holders: []actions.Entry{fullOtherDN, stale}, want: plans.Update, findings: 1},
	}
	for _, tt := range tests {
		inst := spnInstance(tt.policy)
		st, err := SPN{}.Observe(inst, actions.Results{"account": {Entries: tt.account}, "holders": {Entries: tt.holders}})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ch, err := SPN{}.Plan(inst, st)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ch.Action != tt.want || len(ch.Findings) != tt.findings {
			t.Errorf("%s: %s with %d findings %q; want %s with %d", tt.name, ch.Action, len(ch.Findings), ch.Findings, tt.want, tt.findings)
		}
		for _, a := range ch.Attrs {
			if a.Name == "servicePrincipalName of EX02$" {
				t.Errorf("%s: the plan removes SPNs from the server's own account: %+v", tt.name, a)
			}
		}
		if tt.wantAdd != nil {
			if diff := cmp.Diff(tt.wantAdd, ch.Attrs[0].After); diff != "" {
				t.Errorf("%s: added (-want +got):\n%s", tt.name, diff)
			}
		}
	}
}
