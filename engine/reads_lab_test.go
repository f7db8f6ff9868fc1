package engine

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/ops"
)

// labShells returns connections to the WinRM endpoints of a running lab,
// over NTLM with the lab's account, its certificates verified.
func labShells(t *testing.T, l *lab.Lab) *connect.Connections {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(l.CAPEM())
	c := connect.New(connect.Options{WinRM: func(name string) (winrm.Config, error) {
		ep, ok := l.WinRM(name)
		lh, ok2 := l.Host(name)
		if !ok || !ok2 {
			return winrm.Config{}, fmt.Errorf("no lab host %q", name)
		}
		addr, portText, err := net.SplitHostPort(ep.Addr())
		if err != nil {
			return winrm.Config{}, err
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			return winrm.Config{}, err
		}
		return winrm.Config{
			Host: name, Address: addr, Port: port, HTTPS: l.HTTPS(), ServerName: lh.FQDN, RootCAs: pool,
			Auth: winrm.AuthNTLM, Username: l.Username(), Password: secret.New(l.Password()),
			Timeout: 30 * time.Second, OperationTimeout: 5 * time.Second, DialTimeout: 5 * time.Second, MaxAttempts: 2,
		}, nil
	}})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestClockReadBatchedWithASlowReadOnTheLab reads a DC's clock and its
// replication links, which the lab makes slow as repadmin is, the way a
// plan does: in one command over WinRM. The clock's reading, as the lab
// took it, lies inside its bracket, and the bracket is as narrow as a
// command of its own although the command took the slow read's time.
// It is also an ordinary ShellProbe that asks for the same read, timed
// or not, that shares it.
func TestClockReadBatchedWithASlowReadOnTheLab(t *testing.T) {
	const slow = 500 * time.Millisecond
	l, err := lab.Start(context.Background(), lab.KB979174(), lab.Options{
		WinRMPort: lab.AnyPort, LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort},
		OpDurations: map[string]time.Duration{ops.ReplShow: slow},
	})
	if err != nil {
		t.Fatalf("start the lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	dc, _ := l.Host("dc01")
	dc.SetClockOffset(-90 * time.Second)

	clock := actions.ShellProbe{Script: ops.MustScript(ops.TimeRead), Args: ops.TimeReadArgs{}, Alone: true}
	reqs := []readRequest{{host: "dc01", probes: []actions.Probe{
		{Name: "links", Shell: &actions.ShellProbe{Script: ops.MustScript(ops.ReplShow), Args: ops.ReplShowArgs{}}},
		{Name: "clock", Shell: &clock},
	}}}
	before := l.Org().Received("dc01")
	out, err := reader{conns: labShells(t, l), parallelism: 2}.read(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if out.commands["dc01"] != 1 || out.hostErrs["dc01"] != nil {
		t.Fatalf("dc01: %d command(s), error %v; want one command", out.commands["dc01"], out.hostErrs["dc01"])
	}
	var ran []string
	for _, r := range l.Org().Received("dc01")[len(before):] {
		ran = append(ran, r.Op)
	}
	if want := fmt.Sprint([]string{ops.Batch, ops.TimeRead, ops.ReplShow}); fmt.Sprint(ran) != want {
		t.Errorf("dc01 ran %v, want %s: the clock first in one batch", ran, want)
	}
	res, links := out.results[0]["clock"], out.results[0]["links"]
	if res.Err != nil || links.Err != nil {
		t.Fatalf("reads: clock %v, links %v", res.Err, links.Err)
	}
	var reading ops.TimeReading
	if err := json.Unmarshal(res.Output, &reading); err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339Nano, reading.UTC)
	if err != nil {
		t.Fatal(err)
	}
	at = at.Add(90 * time.Second) // the real moment of the reading
	if at.Before(res.Sent) || at.After(res.Received) {
		t.Errorf("dc01 read its clock at %v, outside the bracket [%v, %v]", at, res.Sent, res.Received)
	}
	if w := links.Received.Sub(links.Sent); w < slow {
		t.Errorf("the slow read is bracketed by %v, less than it took (%v)", w, slow)
	}
	if w := res.Received.Sub(res.Sent); w >= slow/2 {
		t.Errorf("the clock read is bracketed by %v: the slow read after it in the same command is not left out", w)
	}
}
