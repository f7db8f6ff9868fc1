package drift_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/metrics/metricstest"
	"github.com/rectifyhq/rectify/ops"
)

const kerberosParameters = `HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`

// logLevel reads the Kerberos LogLevel of a lab host.
func (e *env) logLevel(t testing.TB, host string) (any, bool) {
	t.Helper()
	h, ok := e.h.Lab.Host(host)
	if !ok {
		t.Fatalf("no lab host %s", host)
	}
	v, _, exists := h.RegistryValue(kerberosParameters, "LogLevel")
	return v.Data, exists
}

// setLogLevel changes the Kerberos LogLevel by hand, as an administrator
// on the server would.
func (e *env) setLogLevel(t testing.TB, host string, level uint32) {
	t.Helper()
	h, _ := e.h.Lab.Host(host)
	if err := h.SetRegistryValue(kerberosParameters, "LogLevel", lab.RegistryValue{Kind: ops.KindDWord, Data: level}); err != nil {
		t.Fatal(err)
	}
}

// smtpSPN returns the SMTP SPN of an Exchange server's account with its
// FQDN, failing when the account does not hold it.
func (e *env) smtpSPN(t testing.TB, account string) string {
	t.Helper()
	for _, s := range e.h.Lab.SPNs(account) {
		if strings.HasPrefix(s, "SMTP/") && strings.Contains(s, ".") {
			return s
		}
	}
	t.Fatalf("%s holds no SMTP SPN with an FQDN: %q", account, e.h.Lab.SPNs(account))
	return ""
}

func (e *env) holdsSPN(account, spn string) bool {
	return slices.ContainsFunc(e.h.Lab.SPNs(account), func(s string) bool { return strings.EqualFold(s, spn) })
}

// connectorAuth returns the authentication mechanisms of a server's
// "Default <SERVER>" receive connector.
func (e *env) connectorAuth(t testing.TB, host string) []string {
	t.Helper()
	h, _ := e.h.Lab.Host(host)
	c, ok := h.Connector("Default " + h.NetBIOS)
	if !ok {
		t.Fatalf("%s has no default connector", host)
	}
	return c.AuthMechanism
}

// breakConnector takes ExchangeServer out of a server's default receive
// connector over WinRM, with the same op the undo of a correction uses:
// the lab fault that re-breaks the connector after each fix.
func (e *env) breakConnector(t testing.TB, host string) {
	t.Helper()
	h, _ := e.h.Lab.Host(host)
	conns := e.h.NewConnections()
	defer conns.Close()
	sh, err := conns.Shell(context.Background(), host)
	if err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(ops.ConnectorAddAuthArgs{Endpoint: ops.EndpointFor(h.FQDN), Identity: h.NetBIOS + `\Default ` + h.NetBIOS, RemoveAuthMechanism: []string{"ExchangeServer"}})
	res, err := sh.RunScript(context.Background(), ops.ScriptRun{Script: ops.MustScript("exchange.connector.add_auth"), Args: args, Mutates: true})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("break the connector of %s: %v %s", host, err, res.Stderr)
	}
	if slices.Contains(e.connectorAuth(t, host), "ExchangeServer") {
		t.Fatalf("the connector of %s still accepts ExchangeServer", host)
	}
}

// serveMetrics serves the env's metrics over HTTP and returns a scraper.
func (e *env) serveMetrics(t testing.TB) func() metricstest.Samples {
	t.Helper()
	srv := httptest.NewServer(e.metrics.Handler())
	t.Cleanup(srv.Close)
	return func() metricstest.Samples {
		t.Helper()
		s, err := metricstest.Scrape(context.Background(), srv.URL+"/metrics")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// series names a drift metric of the example playbook.
func series(name string, labels ...string) string {
	return metricstest.Series(name, append([]string{"playbook", "exchange-454"}, labels...)...)
}

// openDrift lists the journal's open drift episodes as "address action".
func (e *env) openDrift(t testing.TB) map[string]drift.Episode {
	t.Helper()
	recs, err := e.journal.DriftHistory(context.Background(), journal.DriftQuery{Playbook: "exchange-454", Open: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]drift.Episode{}
	for _, r := range recs {
		out[r.Address] = r
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
