package ad

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

const header = "showrepl_COLUMNS,Destination DSA Site,Destination DSA,Naming Context,Source DSA Site,Source DSA,Transport Type,Number of Failures,Last Failure Time,Last Success Time,Last Failure Status\n"

// showrepl is what repadmin /showrepl <DC> /csv answers on each DC.
var showrepl = map[string]string{
	"dc01": header + `showrepl_INFO,HQ,DC01,"DC=corp,DC=example,DC=com",HQ,DC02,RPC,0,0,2026-11-27 05:00:00,0
showrepl_INFO,HQ,DC01,"CN=Configuration,DC=corp,DC=example,DC=com",HQ,DC02,RPC,0,0,2026-11-27 05:00:00,0
`,
	"dc02": header + `showrepl_INFO,HQ,DC02,"DC=corp,DC=example,DC=com",HQ,DC01,RPC,3,2026-11-27 05:10:00,2026-11-26 22:00:00,1722
showrepl_INFO,HQ,DC02,"CN=Configuration,DC=corp,DC=example,DC=com",HQ,DC01,RPC,0,0,2026-11-27 05:00:00,0
`,
	"dc03": header + `showrepl_INFO,BRANCH,DC03,"DC=corp,DC=example,DC=com",HQ,DC02,RPC,0,0,2026-11-27 05:00:00,0
`,
	"dc04": header + `showrepl_INFO,BRANCH,DC04,"DC=corp,DC=example,DC=com",BRANCH,DC03,RPC,0,0,2026-11-27 05:00:00,0
showrepl_INFO,BRANCH,DC04,"DC=corp,DC=example,DC=com",HQ,DC01,RPC,0,0,2026-11-27 05:00:00,0
`,
	"unread": header + `showrepl_ERROR,HQ,DC02,"LDAP error 81 (Server Down) Win32 Err 58."
`,
	"other": header + `showrepl_INFO,HQ,DC01,"DC=corp,DC=example,DC=com",HQ,DC02,RPC,0,0,2026-11-27 05:00:00,0
`,
}

func replConfig(t *testing.T, attrs map[string]cty.Value) actions.Config {
	t.Helper()
	v := map[string]cty.Value{
		"method": cty.StringVal("pull"), "push_from": cty.NullVal(cty.String), "options": cty.NullVal(cty.String), "kb_step": cty.StringVal("2"),
	}
	for k, a := range attrs {
		v[k] = a
	}
	return actions.NewConfig(cty.ObjectVal(v))
}

// replResults are the probes' answers: the DC's showrepl and the root DSE
// of rectify's directory connection (writer "" leaves it out).
func replResults(t *testing.T, csv, writer string) actions.Results {
	t.Helper()
	out, err := json.Marshal(ops.CommandOutput{Commands: []ops.CommandRun{{Command: "repadmin /showrepl DC /csv", Output: csv}}})
	if err != nil {
		t.Fatal(err)
	}
	r := actions.Results{"showrepl": {Output: out}}
	if writer != "" {
		r["writer"] = actions.Result{Entries: []actions.Entry{{Attributes: map[string][]string{
			"dnsHostName": {writer + ".corp.example.com"}, "defaultNamingContext": {"DC=corp,DC=example,DC=com"},
		}}}}
	}
	return r
}

func replInstance(host, domain string, cfg actions.Config, triggered bool, session actions.Session) actions.Instance {
	return actions.Instance{
		Host:    actions.Host{Name: host, FQDN: host + ".corp.example.com", Domain: domain, Session: session},
		Targets: []string{"dc01", "dc02", "dc03", "dc04"}, Config: cfg, Triggered: triggered,
	}
}

func TestReplicationPlan(t *testing.T) {
	ntlm := actions.Session{Auth: "ntlm"}
	delegated := actions.Session{Auth: "kerberos", Delegation: true}
	pull := replConfig(t, nil)
	push := replConfig(t, map[string]cty.Value{"method": cty.StringVal("push")})
	const domain = "DC=corp,DC=example,DC=com"
	tests := []struct {
		name      string
		host      string
		csv       string
		writer    string
		cfg       actions.Config
		triggered bool
		session   actions.Session
		want      plans.Action
		commands  []string
		reason    string
	}{
		{name: "healthy", host: "dc01", csv: showrepl["dc01"], writer: "dc01", cfg: pull, want: plans.NoOp},
		{name: "failing link: the destination pulls", host: "dc02", csv: showrepl["dc02"], writer: "dc01", cfg: pull, want: plans.Run,
			commands: []string{"repadmin /replicate DC02 DC01 " + domain}, reason: "1 inbound replication link(s) of DC02 fail"},
		{name: "triggered on the writer", host: "dc01", csv: showrepl["dc01"], writer: "dc01", cfg: pull, triggered: true, want: plans.NoOp},
		{name: "triggered and failing: one pull", host: "dc02", csv: showrepl["dc02"], writer: "dc01", cfg: pull, triggered: true, want: plans.Run,
			commands: []string{"repadmin /replicate DC02 DC01 " + domain}, reason: "written on DC01"},
		{name: "triggered in another site", host: "dc04", csv: showrepl["dc04"], writer: "dc01", cfg: pull, triggered: true, want: plans.Run,
			commands: []string{"repadmin /replicate DC04 DC01 " + domain}, reason: "180 minutes"},
		{name: "triggered without a link from the writer", host: "dc03", csv: showrepl["dc03"], writer: "dc01", cfg: pull, triggered: true, want: plans.Blocked,
			reason: "does not replicate DC=corp,DC=example,DC=com from DC01 (its sources: DC02)"},
		{name: "triggered without a domain", host: "dc02", csv: showrepl["dc02"], cfg: pull, triggered: true, want: plans.Blocked,
			reason: "gives dc02 no domain"},
		{name: "push over NTLM is refused", host: "dc01", csv: showrepl["dc01"], writer: "dc01", cfg: push, triggered: true, session: ntlm, want: plans.Blocked,
			reason: "repl.syncall needs credentials beyond the WinRM session on dc01"},
		{name: "push with delegation", host: "dc01", csv: showrepl["dc01"], writer: "dc01", cfg: push, triggered: true, session: delegated, want: plans.Run,
			commands: []string{"repadmin /syncall DC01 /AdeP"}},
		{name: "push: not the pusher", host: "dc03", csv: showrepl["dc03"], writer: "dc01", cfg: push, triggered: true, session: ntlm, want: plans.NoOp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			domainName := "corp.example.com"
			if tt.writer == "" {
				domainName = ""
			}
			inst := replInstance(tt.host, domainName, tt.cfg, tt.triggered, tt.session)
			st, err := Replication{}.Observe(inst, replResults(t, tt.csv, tt.writer))
			if err != nil {
				t.Fatal(err)
			}
			ch, err := Replication{}.Plan(inst, st)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Action != tt.want {
				t.Fatalf("action %s, want %s (%s)", ch.Action, tt.want, ch.Reason)
			}
			if tt.commands != nil {
				var got []string
				for _, a := range ch.Attrs {
					if a.Name == "commands" {
						got, _ = a.After.([]string)
					}
				}
				if diff := cmp.Diff(tt.commands, got); diff != "" {
					t.Errorf("commands (-want +got):\n%s", diff)
				}
			}
			if !strings.Contains(ch.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", ch.Reason, tt.reason)
			}
		})
	}
}

// TestReplicationObserveRefusesUnreadDCs checks that a DC repadmin could
// not read, or an answer about another DC, is an error and never a state.
func TestReplicationObserveRefusesUnreadDCs(t *testing.T) {
	inst := replInstance("dc02", "corp.example.com", replConfig(t, nil), false, actions.Session{})
	for name, want := range map[string]string{
		"unread": "could not read the replication status of DC02: LDAP error 81 (Server Down)",
		"other":  "answered for DC01, not for DC02",
	} {
		st, err := Replication{}.Observe(inst, replResults(t, showrepl[name], "dc01"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: state %+v, error %v; want %q", name, st, err, want)
		}
	}
}

func TestReplicationValidateConfig(t *testing.T) {
	problems := Replication{}.ValidateConfig(replConfig(t, map[string]cty.Value{"push_from": cty.StringVal("dc02")}))
	if len(problems) != 1 || problems[0].Attribute != "push_from" {
		t.Errorf("push_from with pull: %+v", problems)
	}
	if p := (Replication{}).ValidateConfig(replConfig(t, map[string]cty.Value{"method": cty.StringVal("push"), "options": cty.StringVal("Ade")})); len(p) != 0 {
		t.Errorf("options with push: %+v", p)
	}
}
