package lab

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// runInProcess runs an op through the bootstrap on the organisation
// directly, as the WinRM endpoint would.
func runInProcess(t *testing.T, o *Org, host, op string, args any) (string, int) {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	code := o.Run(context.Background(), host, ops.BootstrapCommand(), "", nil, strings.NewReader(string(ops.Stdin(script(op), b))), &out, &errOut)
	return out.String() + errOut.String(), code
}

// TestConcurrentOps runs reads and writes on the same hosts at once; run
// with -race it checks the state's locking, and the state must end
// consistent.
func TestConcurrentOps(t *testing.T) {
	o, _, err := seedOrg(KB979174(), map[string]string{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	o.account = credentialCheck{user: `CORP\rectify`, password: "concurrent"}
	o.attemptDelay = time.Millisecond
	cred := &ops.Credential{User: `CORP\rectify`, Password: "concurrent"}
	at := func(host string) ops.ExchangeEndpoint { return ops.EndpointFor(host + ".corp.example.com") }
	var wg sync.WaitGroup
	work := []struct {
		host, op string
		args     any
	}{
		{"ex01", ops.QueueRetry, ops.QueueRetryArgs{Endpoint: at("ex01"), Credential: cred, Server: "EX01", Identities: []string{`EX01\3`}, WaitSeconds: 5}},
		{"ex02", ops.QueueRetry, ops.QueueRetryArgs{Endpoint: at("ex02"), Credential: cred, Server: "EX02", Identities: []string{`EX02\3`}, WaitSeconds: 5}},
		{"ex02", ops.ConnectorAddAuth, ops.ConnectorAddAuthArgs{Endpoint: at("ex02"), Credential: cred, Identity: `EX02\Default EX02`, AddAuthMechanism: []string{"ExchangeServer"}}},
		{"ex01", ops.RegistrySet, ops.RegistrySetArgs{Path: KerberosParametersKey, Name: "LogLevel", Kind: ops.KindDWord, Data: 1}},
		{"ex01", ops.TimeResync, ops.TimeResyncArgs{}},
		{"dc01", ops.ReplSyncAll, ops.ReplSyncAllArgs{DC: "dc01"}},
		{"dc02", ops.ReplShow, ops.ReplShowArgs{}},
		{"ex02", ops.EventsQuery, ops.EventsQueryArgs{Log: "Application"}},
		{"ex01", ops.EventsQuery, ops.EventsQueryArgs{Log: "System"}},
		{"ex01", ops.ConnectorGet, ops.ConnectorGetArgs{Endpoint: at("ex01"), Credential: cred, Server: "EX02"}},
	}
	for i := 0; i < 8; i++ {
		for _, w := range work {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if out, code := runInProcess(t, o, w.host, w.op, w.args); code != 0 {
					t.Errorf("%s on %s: exit %d: %s", w.op, w.host, code, out)
				}
			}()
		}
	}
	wg.Wait()
	ex02, _ := o.Host("ex02")
	c, _ := ex02.Connector("Default EX02")
	if !c.acceptsExchangeAuth() {
		t.Errorf("Default EX02 after the concurrent fix: %+v", c)
	}
	if got := len(o.Received("ex01")); got != 8*5 {
		t.Errorf("ex01 recorded %d ops, want %d", got, 8*5)
	}
}
