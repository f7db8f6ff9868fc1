package winrm

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/ops"
)

// TestLibraryScriptsOnTheLab runs the script library's own read ops, as
// embedded, against the lab's simulated KB 979174 organisation (which
// dispatches on each script's marker and decoded arguments), one by one and
// as one batch, and checks that both ways read the same.
func TestLibraryScriptsOnTheLab(t *testing.T) {
	l, err := lab.Start(context.Background(), lab.KB979174(), lab.Options{
		WinRMPort: lab.AnyPort,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort},
		Clock:     func() time.Time { return time.Date(2026, 11, 27, 6, 20, 55, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ep, ok := l.WinRM("ex02")
	host, ok2 := l.Host("ex02")
	if !ok || !ok2 {
		t.Fatal("the scenario has no ex02")
	}
	addr, portText, _ := net.SplitHostPort(ep.Addr())
	port, _ := strconv.Atoi(portText)
	s := newShell(t, Config{
		Host: "ex02", Address: addr, Port: port, HTTPS: l.HTTPS(), ServerName: host.FQDN, CAPEM: l.CAPEM(),
		Auth: AuthNTLM, Username: l.Username(), Password: secret.New(l.Password()), Timeout: 30 * time.Second,
	})
	kerberos := `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`
	reads := []struct {
		op   string
		args any
	}{
		{ops.TimeRead, ops.TimeReadArgs{}},
		{ops.RegistryGet, ops.RegistryGetArgs{Path: kerberos, Name: "LogLevel"}},
		{ops.EventsQuery, ops.EventsQueryArgs{Log: "System", Provider: "Microsoft-Windows-Security-Kerberos", Max: 20}},
		// Exchange's cmdlets run through its endpoint with the account as an
		// explicit credential, which internal/connect adds in a real run.
		{ops.ConnectorGet, ops.ConnectorGetArgs{Endpoint: ops.EndpointFor(host.FQDN), Credential: &ops.Credential{User: l.Username(), Password: l.Password()}, Server: "EX02"}},
		{ops.QueueGet, ops.QueueGetArgs{Endpoint: ops.EndpointFor(host.FQDN), Credential: &ops.Credential{User: l.Username(), Password: l.Password()}, Server: "EX02"}},
	}
	ctx := context.Background()
	var batch ops.BatchArgs
	single := map[string]json.RawMessage{}
	for _, r := range reads {
		script := ops.MustScript(r.op)
		args, err := json.Marshal(r.args)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.RunScript(ctx, ops.ScriptRun{Script: script, Args: args})
		if err != nil {
			t.Fatalf("%s: %v (stderr %q)", r.op, err, res.Stderr)
		}
		single[r.op] = res.Output
		batch.Items = append(batch.Items, ops.BatchItem{ID: r.op, Script: script.Text, Args: r.args})
	}
	args, _ := json.Marshal(batch)
	res, err := s.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.Batch), Args: args})
	if err != nil {
		t.Fatalf("batch: %v (stderr %q)", err, res.Stderr)
	}
	var out struct {
		Results []struct {
			ID     string          `json:"id"`
			OK     bool            `json:"ok"`
			Output json.RawMessage `json:"output"`
			Error  string          `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) != len(reads) {
		t.Fatalf("batch returned %d results for %d items", len(out.Results), len(reads))
	}
	for _, r := range out.Results {
		if !r.OK {
			t.Errorf("batch item %s failed: %s", r.ID, r.Error)
			continue
		}
		var a, b any
		_ = json.Unmarshal(single[r.ID], &a)
		_ = json.Unmarshal(r.Output, &b)
		if r.ID == ops.TimeRead {
			continue // the clock moved between the two reads
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s read one way and in a batch differ (-single +batch):\n%s", r.ID, diff)
		}
	}
	if c := ep.Counts(); c.Create != 1 || c.Handshakes > 2 {
		t.Errorf("counts %+v: want one shell and at most two handshakes", c)
	}
}
