package lab

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/ops"
)

// clixmlText pulls the error text out of CLIXML as a client decodes it.
func clixmlText(t *testing.T, stderr string) string {
	t.Helper()
	if !strings.HasPrefix(stderr, "#< CLIXML\r\n<Objs ") || !strings.HasSuffix(stderr, "</Objs>") {
		t.Fatalf("stderr is not CLIXML: %q", stderr)
	}
	var b strings.Builder
	for _, part := range strings.Split(stderr, `<S S="Error">`)[1:] {
		text, _, _ := strings.Cut(part, "</S>")
		b.WriteString(text)
	}
	s := strings.ReplaceAll(b.String(), "_x000D__x000A_", "\n")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&", "_x005F_", "_").Replace(s)
}

// TestExchangeRules checks that exchange.connector.add_auth keeps
// Exchange's own rules for the whole AuthMechanism set, answering
// violations as Set-ReceiveConnector does: a PowerShell error on stderr.
func TestExchangeRules(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	c := client(t, l, "ex01", false)
	tests := []struct {
		name string
		args ops.ConnectorAddAuthArgs
		err  string // "" for success
		auth []string
	}{
		{"None is dropped from a union", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, AddAuthMechanism: []string{"None"}}, "", []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"}},
		{"not a single word", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, AddAuthMechanism: []string{"Tls; Remove-Item"}}, "connector setting names are single words", nil},
		{"ExternalAuthoritative beside ExchangeServer", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, AddAuthMechanism: []string{"ExternalAuthoritative"}}, "ExternalAuthoritative can only be combined with Tls", nil},
		{"BasicAuthRequireTLS without BasicAuth", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, RemoveAuthMechanism: []string{"BasicAuth"}}, "BasicAuthRequireTLS requires both BasicAuth and Tls", nil},
		{"unknown mechanism", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, AddAuthMechanism: []string{"Kerberos"}}, "Cannot convert value \"Kerberos\"", nil},
		{"unknown connector", ops.ConnectorAddAuthArgs{Identity: `EX01\Nope`, AddAuthMechanism: []string{"Tls"}}, `object 'EX01\Nope' couldn't be found`, nil},
		{"stale expectation", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, AddAuthMechanism: []string{"Tls"}, Expect: &ops.Connector{AuthMechanism: []string{"Tls"}}}, "stale: the receive connector changed since it was read", nil},
		{"remove both, a valid whole set", ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, RemoveAuthMechanism: []string{"BasicAuth", "BasicAuthRequireTLS"}}, "", []string{"Tls", "Integrated", "ExchangeServer"}},
		{"only Tls and ExternalAuthoritative", ops.ConnectorAddAuthArgs{Identity: `EX01\Default Frontend EX01`, RemoveAuthMechanism: []string{"Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"}, AddAuthMechanism: []string{"ExternalAuthoritative"}}, "", []string{"Tls", "ExternalAuthoritative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.args.Endpoint, tt.args.Credential = exchange(l, "ex01")
			before, _ := mustHost(t, l, "ex01").Connector(strings.SplitN(tt.args.Identity, `\`, 2)[1])
			r := runScript(t, c, script(ops.ConnectorAddAuth), tt.args)
			if tt.err != "" {
				if r.Code != 1 || r.Stdout != "" {
					t.Fatalf("want a script error, got %+v", r)
				}
				if text := clixmlText(t, r.Stderr); !strings.Contains(text, tt.err) {
					t.Errorf("error text %q does not say %q", text, tt.err)
				}
				after, _ := mustHost(t, l, "ex01").Connector(before.Name)
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("a refused change changed the connector (-before +after):\n%s", diff)
				}
				return
			}
			if r.Code != 0 {
				t.Fatalf("exit %d: %s", r.Code, clixmlText(t, r.Stderr))
			}
			var change ops.ConnectorChange
			if err := json.Unmarshal([]byte(r.Stdout), &change); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.auth, change.After.AuthMechanism); diff != "" {
				t.Errorf("AuthMechanism (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnknownAnswers checks the answers PowerShell and cmd.exe give to
// what they do not know, and that scripts are never dispatched on text.
func TestUnknownAnswers(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	c := client(t, l, "ex01", false)

	r := runScript(t, c, ops.Script{Op: "x", Text: "# rectify:op disk.format v1\nFormat-Volume"}, map[string]string{})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), "The term 'disk.format' is not recognized as the name of a cmdlet, function, script file, or operable program.") {
		t.Errorf("unknown op: %+v", r)
	}
	// A script without a marker is not run, even if its text names an op.
	r = runScript(t, c, ops.Script{Text: "Get-ItemProperty # rectify:op registry.get v1\n"}, ops.RegistryGetArgs{Path: KerberosParametersKey, Name: "LogLevel"})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), "The term 'Get-ItemProperty' is not recognized") {
		t.Errorf("script without marker: %+v", r)
	}
	endpoint, cred := exchange(l, "dc01")
	r = runScript(t, client(t, l, "dc01", false), script(ops.ConnectorGet), ops.ConnectorGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX01"})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), "Cannot find the Microsoft.Exchange session configuration in the WSMan: drive on the DC01 computer.") {
		t.Errorf("an Exchange op against a DC: %+v", r)
	}
	r = run(t, c, "frobnicate /all")
	want := result{Stderr: "'frobnicate' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", Code: 1}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("unknown command (-want +got):\n%s", diff)
	}
	r = run(t, c, "repadmin /showrepl * /csv")
	if r.Code != 1 || !strings.Contains(r.Stderr+r.Stdout, "'repadmin' is not recognized") {
		t.Errorf("repadmin on an Exchange server: %+v", r)
	}
	// Hostile arguments travel as data.
	r = runScript(t, c, script(ops.RegistryGet), ops.RegistryGetArgs{Path: `HKLM:\x'; Remove-Item C:\ -Recurse #`, Name: "</S><S S=\"Output\">_x0041_"})
	if r.Code != 0 {
		t.Errorf("hostile registry path: %+v", r)
	}
	r = runScript(t, c, script(ops.RegistryGet), ops.RegistryGetArgs{Path: `QQ:\</Objs>`, Name: "x"})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), `unknown registry hive in path`) {
		t.Errorf("unknown drive: %+v", r)
	}
	got := l.Received("ex01")
	last := got[len(got)-1]
	var args ops.RegistryGetArgs
	if err := json.Unmarshal(last.Args, &args); err != nil || last.Op != ops.RegistryGet || args.Path != `QQ:\</Objs>` {
		t.Errorf("the record does not hold the last op and its arguments: %s %s", last.Op, last.Args)
	}
}

// TestRegistryAndBatch covers registry writes with expectations and a
// batch of reads.
func TestRegistryAndBatch(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	c := client(t, l, "ex02", false)
	path := `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`
	var change ops.RegistryChange
	runOp(t, c, ops.RegistrySet, ops.RegistrySetArgs{Path: path, Name: "LogLevel", Kind: ops.KindDWord, Data: 1, Expect: &ops.RegistryValue{KeyExists: true}}, &change)
	want := ops.RegistryChange{Previous: ops.RegistryValue{KeyExists: true}, Current: ops.RegistryValue{KeyExists: true, Exists: true, Kind: "DWord", Data: float64(1)}}
	if diff := cmp.Diff(want, change); diff != "" {
		t.Errorf("set (-want +got):\n%s", diff)
	}
	// A write expecting the value absent is now stale.
	r := runScript(t, c, script(ops.RegistrySet), ops.RegistrySetArgs{Path: path, Name: "LogLevel", Kind: ops.KindDWord, Data: 2, Expect: &ops.RegistryValue{KeyExists: true}})
	if r.Code != 1 || !strings.Contains(clixmlText(t, r.Stderr), "stale: ") {
		t.Errorf("stale set: %+v", r)
	}
	for _, bad := range []ops.RegistrySetArgs{
		{Path: path, Name: "LogLevel", Kind: ops.KindDWord, Data: "one"},
		{Path: path, Name: "LogLevel", Kind: ops.KindDWord, Data: -1},
		{Path: path, Name: "LogLevel", Kind: ops.KindDWord, Data: 4294967296},
		{Path: path, Name: "LogLevel", Kind: ops.KindDWord, Data: 1.5},
		{Path: path, Name: "LogLevel", Kind: "Dword32", Data: 1},
		{Path: "", Name: "LogLevel", Kind: ops.KindDWord, Data: 1},
	} {
		if r := runScript(t, c, script(ops.RegistrySet), bad); r.Code != 1 || !strings.HasPrefix(clixmlText(t, r.Stderr), "registry.set: ") {
			t.Errorf("registry.set %+v: %+v", bad, r)
		}
	}
	runOp(t, c, ops.RegistryDelete, ops.RegistryDeleteArgs{Path: path, Name: "LogLevel", Expect: &ops.RegistryValue{KeyExists: true, Exists: true, Kind: "DWord", Data: 1}}, &change)
	if !change.Previous.Exists || change.Current.Exists {
		t.Errorf("delete: %+v", change)
	}

	items := []ops.BatchItem{
		{ID: "loglevel", Script: script(ops.RegistryGet).Text, Args: ops.RegistryGetArgs{Path: path, Name: "LogLevel"}},
		{ID: "time", Script: script(ops.TimeRead).Text, Args: ops.TimeReadArgs{}},
		{ID: "bogus", Script: "# rectify:op bogus v1\n", Args: map[string]any{}},
		{ID: "reach", Script: script(ops.NetReach).Text, Args: ops.NetReachArgs{TimeoutMS: 500, Targets: []ops.ReachTarget{
			{Host: "dc02", Port: 88, Protocol: "tcp"}, {Host: "dc01", Port: 88, Protocol: "tcp"}, {Host: "dc01", Port: 25, Protocol: "tcp"}, {Host: "nowhere", Port: 88, Protocol: "tcp"},
		}}},
	}
	var res ops.BatchResult
	runOp(t, c, ops.Batch, ops.BatchArgs{Items: items}, &res)
	if len(res.Results) != 4 {
		t.Fatalf("batch: %+v", res)
	}
	if !res.Results[0].OK || !res.Results[1].OK || res.Results[2].OK || !res.Results[3].OK {
		t.Errorf("batch outcomes: %+v", res.Results)
	}
	if !strings.Contains(res.Results[2].Error, "'bogus' is not recognized") {
		t.Errorf("bogus item error: %q", res.Results[2].Error)
	}
	b, _ := json.Marshal(res.Results[3].Output)
	var reach ops.NetReachResult
	if err := json.Unmarshal(b, &reach); err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, o := range reach.Results {
		states = append(states, o.State)
	}
	if diff := cmp.Diff([]string{"filtered", "open", "closed", "error"}, states); diff != "" {
		t.Errorf("reach states from ex02 (-want +got):\n%s", diff)
	}
}

// TestUserScripts plays a windows.powershell step's check and apply
// scripts: check reads null until apply stores the desired state.
func TestUserScripts(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	c := client(t, l, "ex01", false)
	check := ops.Script{Op: "user.tls12", Version: 1, Text: "# rectify:op user.tls12 v1\nparam($a)\n"}
	apply := ops.Script{Op: "user.tls12_set", Version: 1, Text: "# rectify:op user.tls12_set v1\nparam($a)\n"}
	desired := map[string]any{"enabled": true}
	steps := []struct {
		script ops.Script
		want   string
	}{
		{check, "null"},
		{apply, `{"enabled":true}`},
		{check, `{"enabled":true}`},
	}
	for _, s := range steps {
		r := runScript(t, c, s.script, map[string]any{"desired": desired, "current": nil})
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != s.want {
			t.Errorf("%s: %+v, want %s", s.script.Op, r, s.want)
		}
	}
	if r := runScript(t, client(t, l, "ex02", false), check, map[string]any{"desired": desired}); strings.TrimSpace(r.Stdout) != "null" {
		t.Errorf("another host shares the state: %+v", r)
	}
}
