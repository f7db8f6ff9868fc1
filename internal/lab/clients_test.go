package lab

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	ldapclient "github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/ops"
)

// TestProjectClients drives the lab with rectify's own transports: the
// WinRM Shell (NTLM, TLS verified) runs every read op of the library, and
// the LDAP Directory finds the duplicated SPN through the Global Catalog
// and gets AD's conflict answer when it adds an SPN another account holds.
func TestProjectClients(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	ctx := context.Background()
	shell := func(host string) *winrm.Shell {
		t.Helper()
		ep, _ := l.WinRM(host)
		ip, portText, _ := net.SplitHostPort(ep.Addr())
		port, _ := strconv.Atoi(portText)
		h, _ := l.Host(host)
		s, err := winrm.New(winrm.Config{
			Host: host, Address: ip, Port: port, HTTPS: true, ServerName: h.FQDN, CAPEM: l.CAPEM(),
			Auth: winrm.AuthNTLM, Username: l.Username(), Password: secret.New(l.Password()), Timeout: 20 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	endpoint, cred := exchange(l, "ex01")
	runs := []struct {
		host, op string
		args     any
		out      any
	}{
		{"ex01", ops.RegistryGet, ops.RegistryGetArgs{Path: KerberosParametersKey, Name: "LogLevel"}, &ops.RegistryValue{}},
		{"ex01", ops.TimeRead, ops.TimeReadArgs{}, &ops.TimeReading{}},
		{"dc01", ops.TimeConfig, ops.TimeConfigArgs{}, &ops.TimeKeeping{}},
		{"ex02", ops.EventsQuery, ops.EventsQueryArgs{Log: "Application", Provider: "MSExchangeTransport", IDs: []int{1035}}, &ops.EventsQueryResult{}},
		{"ex01", ops.ConnectorGet, ops.ConnectorGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX01"}, &ops.ConnectorGetResult{}},
		{"ex01", ops.QueueGet, ops.QueueGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX01"}, &ops.QueueGetResult{}},
		{"ex02", ops.NetReach, ops.NetReachArgs{TimeoutMS: 200, Targets: []ops.ReachTarget{{Host: "dc02.corp.example.com", Port: 88, Protocol: "tcp"}}}, &ops.NetReachResult{}},
		{"dc02", ops.ReplShow, ops.ReplShowArgs{}, &ops.CommandOutput{}},
	}
	shells := map[string]*winrm.Shell{}
	for _, r := range runs {
		s, ok := shells[r.host]
		if !ok {
			s = shell(r.host)
			shells[r.host] = s
		}
		args, _ := json.Marshal(r.args)
		res, err := s.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(r.op), Args: args})
		if err != nil {
			t.Fatalf("%s on %s: %v", r.op, r.host, err)
		}
		if err := json.Unmarshal(res.Output, r.out); err != nil {
			t.Fatalf("%s on %s: %v", r.op, r.host, err)
		}
	}
	if got := runs[2].out.(*ops.TimeKeeping); !got.IsDC || !got.PDCEmulator {
		t.Errorf("dc01 time.config: %+v", got)
	}
	if got := runs[3].out.(*ops.EventsQueryResult); len(got.Events) == 0 || got.Events[0].Data["param2"] != "Default EX02" {
		t.Errorf("ex02's 1035 events: %+v", got)
	}
	if got := runs[5].out.(*ops.QueueGetResult); len(got.Queues) != 1 || got.Queues[0].LastError != Error454 {
		t.Errorf("EX01 queues: %+v", got)
	}
	if got := runs[6].out.(*ops.NetReachResult); len(got.Results) != 1 || got.Results[0].State != "filtered" {
		t.Errorf("TCP 88 from ex02 to dc02: %+v", got)
	}
	// A script error comes back as a typed script error.
	_, err := shells["ex01"].RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.RegistryGet), Args: json.RawMessage(`{"path":"QQ:\\x","name":"y"}`)})
	if actions.KindOf(err) != actions.KindScript {
		t.Errorf("unknown hive: %v, want a script error", err)
	}

	dir, err := ldapclient.New(ldapclient.Config{
		URL: "ldaps://" + l.LDAPAddr("dc01", ldapd.LDAPS), BindUser: l.Username(),
		Password: secret.New(l.Password()), RootCAs: l.ca.Pool(), Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	holders, err := dir.Search(ctx, actions.SearchRequest{
		GlobalCatalog: true, Scope: actions.ScopeSubtree,
		Filter:     actions.Equal{Attribute: "servicePrincipalName", Value: "SMTPSVC/ex02.corp.example.com"},
		Attributes: []string{"sAMAccountName"},
	})
	if err != nil || len(holders) != 2 {
		t.Fatalf("GC holders of SMTPSVC/ex02: %v %+v", err, holders)
	}
	err = dir.Modify(ctx, actions.ModifyRequest{DN: "CN=EX01,CN=Computers,DC=corp,DC=example,DC=com", Changes: []actions.Modification{
		{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: []string{"SMTPSVC/ex02.corp.example.com"}},
	}})
	if actions.KindOf(err) != actions.KindSPNConflict {
		t.Errorf("adding an SPN EX02$ holds to EX01$: %v, want %s", err, actions.KindSPNConflict)
	}
}
