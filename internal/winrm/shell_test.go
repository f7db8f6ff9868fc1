package winrm

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lab/pki"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/ops"
)

// TestRunScriptEveryOp runs every op of the catalog over HTTPS with NTLM
// through one Shell and checks that the argument document arrived intact
// (the runner decodes it strictly into the op's type) and the result came
// back as the op's result type.
func TestRunScriptEveryOp(t *testing.T) {
	l := newTestLab(t, nil)
	h, cfg := l.host(t, "ex01")
	s := newShell(t, cfg)
	timeRead := testScript(ops.TimeRead, 0)
	regGet := testScript(ops.RegistryGet, 0)
	kerberos := `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`
	tests := []struct {
		op      string
		args    any
		mutates bool
		want    any // a pointer to the zero value of the result type, filled by decoding
		expect  any
	}{
		{ops.RegistryGet, ops.RegistryGetArgs{Path: kerberos, Name: "LogLevel"}, false, &ops.RegistryValue{}, opResults[ops.RegistryGet]},
		{ops.RegistrySet, ops.RegistrySetArgs{Path: kerberos, Name: "LogLevel", Kind: ops.KindDWord, Data: 1, Expect: &ops.RegistryValue{KeyExists: true}}, true, &ops.RegistryChange{}, opResults[ops.RegistrySet]},
		{ops.RegistryDelete, ops.RegistryDeleteArgs{Path: kerberos, Name: "LogLevel"}, true, &ops.RegistryChange{}, opResults[ops.RegistryDelete]},
		{ops.TimeRead, ops.TimeReadArgs{}, false, &ops.TimeReading{}, opResults[ops.TimeRead]},
		{ops.TimeResync, ops.TimeResyncArgs{}, true, &ops.CommandOutput{}, opResults[ops.TimeResync]},
		{ops.NetReach, ops.NetReachArgs{Targets: []ops.ReachTarget{{Host: "dc01", Port: 88, Protocol: "tcp"}}, TimeoutMS: 2000}, false, &ops.NetReachResult{}, opResults[ops.NetReach]},
		{ops.ReplSyncAll, ops.ReplSyncAllArgs{DC: "dc01", Options: "AdeP"}, true, &ops.CommandOutput{}, opResults[ops.ReplSyncAll]},
		{ops.ReplShow, ops.ReplShowArgs{}, false, &ops.CommandOutput{}, opResults[ops.ReplShow]},
		{ops.EventsQuery, ops.EventsQueryArgs{Log: "System", Provider: "Microsoft-Windows-Security-Kerberos", IDs: []int{3, 4}, Max: 50}, false, &ops.EventsQueryResult{}, opResults[ops.EventsQuery]},
		{ops.ConnectorGet, ops.ConnectorGetArgs{Server: "EX01"}, false, &ops.ConnectorGetResult{}, opResults[ops.ConnectorGet]},
		{ops.ConnectorAddAuth, ops.ConnectorAddAuthArgs{Identity: `EX01\Default EX01`, AddAuthMechanism: []string{"Tls", "ExchangeServer"}, AddPermissionGroups: []string{"ExchangeServers"}}, true, &ops.ConnectorChange{}, opResults[ops.ConnectorAddAuth]},
		{ops.QueueGet, ops.QueueGetArgs{Server: "EX01"}, false, &ops.QueueGetResult{}, opResults[ops.QueueGet]},
		{ops.QueueRetry, ops.QueueRetryArgs{Server: "EX01", Identities: []string{`EX01\3`}}, true, &ops.QueueGetResult{}, opResults[ops.QueueRetry]},
		{ops.UserScript, ops.UserScriptArgs{Input: map[string]any{"quote": `'; Remove-Item C:\ -Recurse #`, "nul": "\x00"}}, true,
			&map[string]any{}, map[string]any{"quote": `'; Remove-Item C:\ -Recurse #`, "nul": "\x00"}},
		{ops.Batch, ops.BatchArgs{Items: []ops.BatchItem{
			{ID: "clock", Script: timeRead.Text, Args: ops.TimeReadArgs{}},
			{ID: "loglevel", Script: regGet.Text, Args: ops.RegistryGetArgs{Path: kerberos, Name: "LogLevel"}},
		}}, false, &ops.BatchResult{}, ops.BatchResult{Results: []ops.BatchItemResult{
			{ID: "clock", OK: true, Output: map[string]any{"utc": "2026-11-27T06:20:55.1234567Z", "skew_time_minutes": float64(5), "skew_time_set": false}},
			{ID: "loglevel", OK: true, Output: map[string]any{"key_exists": true, "exists": true, "kind": "DWord", "data": float64(1)}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			run := runOf(t, tt.op, tt.args)
			run.Mutates = tt.mutates
			res, err := s.RunScript(context.Background(), run)
			if err != nil {
				t.Fatalf("RunScript: %v", err)
			}
			if res.ExitCode != 0 || res.Stderr != "" {
				t.Errorf("exit %d, stderr %q", res.ExitCode, res.Stderr)
			}
			if err := json.Unmarshal(res.Output, tt.want); err != nil {
				t.Fatalf("output %s: %v", res.Output, err)
			}
			got := deref(tt.want)
			if diff := cmp.Diff(tt.expect, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			var sent, echoed any
			_ = json.Unmarshal(run.Args, &sent)
			l.runner.mu.Lock()
			_ = json.Unmarshal(l.runner.lastArgs, &echoed)
			l.runner.mu.Unlock()
			if diff := cmp.Diff(sent, echoed); diff != "" {
				t.Errorf("arguments changed on the way (-sent +received):\n%s", diff)
			}
		})
	}
	c := h.Counts()
	if c.Create != 1 {
		t.Errorf("%d shells created for %d commands, want one reused shell", c.Create, c.Command)
	}
	if c.Command != int64(len(tests)) {
		t.Errorf("%d commands, want %d", c.Command, len(tests))
	}
}

func deref(p any) any {
	switch v := p.(type) {
	case *ops.RegistryValue:
		return *v
	case *ops.RegistryChange:
		return *v
	case *ops.TimeReading:
		return *v
	case *ops.CommandOutput:
		return *v
	case *ops.NetReachResult:
		return *v
	case *ops.EventsQueryResult:
		return *v
	case *ops.ConnectorGetResult:
		return *v
	case *ops.ConnectorChange:
		return *v
	case *ops.QueueGetResult:
		return *v
	case *ops.BatchResult:
		return *v
	case *map[string]any:
		return *v
	}
	return p
}

// TestRunScriptLargeScript sends a 50 KB script, far over cmd.exe's 8191
// characters, through the bootstrap's standard input.
func TestRunScriptLargeScript(t *testing.T) {
	l := newTestLab(t, nil)
	h, cfg := l.host(t, "ex01")
	cfg.MaxEnvelopeSize = 32 * 1024 // several Send messages
	s := newShell(t, cfg)
	script := testScript("test.size", 50*1024)
	args := []byte(`{"padding":"` + strings.Repeat("x", 3000) + `"}`)
	res, err := s.RunScript(context.Background(), ops.ScriptRun{Script: script, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := json.Unmarshal(res.Output, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"script_bytes": len(script.Text), "args_bytes": len(args)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sizes seen by the host (-want +got):\n%s", diff)
	}
	if n := len(ops.BootstrapCommand()); n > 8191 {
		t.Errorf("the command line is %d characters", n)
	}
	if c := h.Counts(); c.Send < 3 {
		t.Errorf("%d Send messages for %d bytes in %d-byte envelopes", c.Send, len(script.Text), cfg.MaxEnvelopeSize)
	}
}

// TestRunScriptFailure checks that a failing script yields a permanent
// KindScript error with standard error decoded from CLIXML, and that a
// sensitive argument does not reach the error.
func TestRunScriptFailure(t *testing.T) {
	l := newTestLab(t, nil)
	_, cfg := l.host(t, "ex01")
	s := newShell(t, cfg)
	const secret = "hunter2-connector-secret"
	tests := []struct {
		name      string
		sensitive bool
		wantLine  string
	}{
		{"plain", false, "could not open " + secret + ": Access is denied."},
		{"sensitive", true, "could not open (sensitive): Access is denied."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := runOf(t, "test.fail", map[string]string{"secret": secret})
			run.SensitiveArgs = tt.sensitive
			res, err := s.RunScript(context.Background(), run)
			var te *actions.TransportError
			if !errors.As(err, &te) || te.Kind != actions.KindScript || te.Class != actions.Permanent || te.Op != "test.fail" || te.Host != "ex01" {
				t.Fatalf("error %#v, want a permanent script error of ex01/test.fail", err)
			}
			first, _, _ := strings.Cut(res.Stderr, "\n")
			if diff := cmp.Diff(tt.wantLine, first); diff != "" {
				t.Errorf("first stderr line (-want +got):\n%s", diff)
			}
			if strings.Contains(res.Stderr, "CLIXML") || strings.Contains(res.Stderr, "Preparing modules") {
				t.Errorf("stderr not decoded: %q", res.Stderr)
			}
			if res.ExitCode != 1 || !strings.Contains(err.Error(), tt.wantLine) {
				t.Errorf("exit %d, error %q", res.ExitCode, err)
			}
			if tt.sensitive && strings.Contains(err.Error(), secret) {
				t.Errorf("a sensitive argument reached the error: %v", err)
			}
		})
	}
}

// TestRunScriptNotJSON: a script that exits 0 without one JSON document
// broke the wire protocol.
func TestRunScriptNotJSON(t *testing.T) {
	l := newTestLab(t, nil)
	_, cfg := l.host(t, "ex01")
	s := newShell(t, cfg)
	res, err := s.RunScript(context.Background(), runOf(t, "test.notjson", map[string]string{}))
	if k := actions.KindOf(err); k != actions.KindProtocol || actions.IsRetryable(err) {
		t.Fatalf("error %v (kind %q), want a permanent protocol error", err, k)
	}
	if !strings.HasPrefix(res.Stdout, "Hello from a script") || res.Output != nil {
		t.Errorf("result %+v", res)
	}
}

// TestCancelStopsLongCommand cancels a command that would run for a minute:
// RunScript returns KindCanceled, the host sees the command terminated
// (Signal), and the shell stays usable.
func TestCancelStopsLongCommand(t *testing.T) {
	l := newTestLab(t, nil)
	h, cfg := l.host(t, "ex01")
	cfg.Timeout = 2 * time.Minute
	s := newShell(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type outcome struct {
		err     error
		elapsed time.Duration
	}
	done := make(chan outcome, 1)
	var canceledAt time.Time
	go func() {
		_, err := s.RunScript(ctx, runOf(t, "test.sleep", map[string]float64{"seconds": 60}))
		done <- outcome{err, time.Since(canceledAt)}
	}()
	select {
	case <-l.runner.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the command never started")
	}
	signals := h.Counts().Signal
	canceledAt = time.Now()
	cancel()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("RunScript did not return after its context was canceled")
	}
	if k := actions.KindOf(o.err); k != actions.KindCanceled {
		t.Fatalf("error %v, want KindCanceled", o.err)
	}
	select {
	case op := <-l.runner.canceled:
		if op != "test.sleep" {
			t.Errorf("%s was terminated", op)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the host never saw the command terminated")
	}
	if h.Counts().Signal <= signals {
		t.Error("no Signal reached the host")
	}
	t.Logf("RunScript returned %v after cancel", o.elapsed)
	if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
		t.Errorf("the shell is not usable after a cancel: %v", err)
	}
}

// TestSlowHostTimesOut: a host whose command never completes hits the
// per-command timeout; the command is terminated.
func TestSlowHostTimesOut(t *testing.T) {
	l := newTestLab(t, nil)
	h, cfg := l.host(t, "ex01")
	cfg.Timeout = 1500 * time.Millisecond
	cfg.OperationTimeout = 300 * time.Millisecond
	s := newShell(t, cfg)
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.SetFaults(wsman.Faults{StallCommands: true}); err != nil {
		t.Fatal(err)
	}
	_, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{}))
	var te *actions.TransportError
	if !errors.As(err, &te) || te.Kind != actions.KindTimeout || te.Class != actions.Permanent {
		t.Fatalf("error %#v, want a permanent timeout", err)
	}
	c := h.Counts()
	if c.Receive < 2 || c.Signal < 1 {
		t.Errorf("counts %+v: want Receive polls through OperationTimeout, then a Signal", c)
	}
	if l.runner.count(ops.TimeRead) != 1 {
		t.Errorf("the timed-out command ran %d times", l.runner.count(ops.TimeRead))
	}
}

// TestNTLMHandshakesOncePerConnection counts HTTP exchanges on the server:
// every connection authenticates once (one 401 with a challenge and one
// AUTHENTICATE carrying a real request), and every later request on it is
// one exchange with no Authorization header.
func TestNTLMHandshakesOncePerConnection(t *testing.T) {
	l := newTestLab(t, nil)
	h, cfg := l.host(t, "ex01")
	s := newShell(t, cfg)
	const commands = 10
	for i := 0; i < commands; i++ {
		if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
			t.Fatal(err)
		}
	}
	c := h.Counts()
	if c.Handshakes != c.Connections || c.Unauthorized != c.Handshakes {
		t.Errorf("counts %+v: want one handshake and one challenge per connection", c)
	}
	if c.Connections != 1 {
		t.Errorf("counts %+v: %d connections for sequential commands, want one", c, c.Connections)
	}
	if c.HTTP != c.SOAP()+c.Handshakes {
		t.Errorf("counts %+v: %d HTTP exchanges for %d SOAP messages and %d handshakes", c, c.HTTP, c.SOAP(), c.Handshakes)
	}
	st := s.Stats()
	if st.Exchanges != c.HTTP || st.Handshakes != c.Handshakes || st.Posts != c.SOAP() {
		t.Errorf("client stats %+v disagree with the server's %+v", st, c)
	}
	t.Logf("%d commands: %d HTTP exchanges, %d SOAP messages, %d connections, %d handshakes", commands, c.HTTP, c.SOAP(), c.Connections, c.Handshakes)
}

// TestBasicAuth runs over HTTPS with Basic only: no challenge, no handshake.
func TestBasicAuth(t *testing.T) {
	l := newTestLab(t, func(o *wsman.Options) { o.DisableNTLM = true })
	h, cfg := l.host(t, "ex01")
	cfg.Auth = AuthBasic
	s := newShell(t, cfg)
	for i := 0; i < 2; i++ {
		if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
			t.Fatal(err)
		}
	}
	c := h.Counts()
	if c.Unauthorized != 0 || c.Handshakes != 0 || c.HTTP != c.SOAP() {
		t.Errorf("counts %+v: want every request authenticated by its Basic header", c)
	}
}

// TestTransportFailures drives each failure the lab can show and checks
// its kind, its class, how often the request was sent, and that the
// password appears in no error.
func TestTransportFailures(t *testing.T) {
	otherCA, err := pki.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	other := otherCA.PEM()
	tests := []struct {
		name      string
		labOpts   func(*wsman.Options)
		faults    wsman.Faults
		edit      func(*Config)
		kind      actions.Kind
		class     actions.Class
		wantDials int64
	}{
		{"bad password", nil, wsman.Faults{}, func(c *Config) { c.Password = secret.New("wrong-" + labPassword) }, actions.KindAuth, actions.Permanent, 1},
		{"unauthorized", nil, wsman.Faults{Unauthorized: true}, nil, actions.KindAuth, actions.Permanent, 1},
		{"wrong CA", nil, wsman.Faults{}, func(c *Config) { c.CAPEM = other }, actions.KindTLS, actions.Permanent, 1},
		{"wrong server name", nil, wsman.Faults{}, func(c *Config) { c.ServerName = "ex99.lab.example.test" }, actions.KindTLS, actions.Permanent, 1},
		{"HTTPS to plain HTTP", func(o *wsman.Options) { o.HTTP = true }, wsman.Faults{}, func(c *Config) { c.HTTPS = true }, actions.KindTLS, actions.Permanent, 1},
		{"unreachable", nil, wsman.Faults{Unreachable: true}, nil, actions.KindConnect, actions.Retryable, 3},
		{"server error", nil, wsman.Faults{ServerError: true}, nil, actions.KindServer, actions.Retryable, 1},
		{"hang", nil, wsman.Faults{Hang: true}, func(c *Config) { c.Timeout = 500 * time.Millisecond }, actions.KindTimeout, actions.Permanent, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLab(t, tt.labOpts)
			h, cfg := l.host(t, "ex01")
			if err := h.SetFaults(tt.faults); err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			s := newShell(t, cfg)
			_, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{}))
			var te *actions.TransportError
			if !errors.As(err, &te) {
				t.Fatalf("error %#v is not a TransportError", err)
			}
			if te.Kind != tt.kind || te.Class != tt.class || te.Host != "ex01" {
				t.Errorf("got %s/%s on %q (%v), want %s/%s", te.Kind, te.Class, te.Host, err, tt.kind, tt.class)
			}
			if strings.Contains(err.Error(), labPassword) || strings.Contains(err.Error(), "wrong-") {
				t.Errorf("the password reached the error: %v", err)
			}
			if d := s.Stats().Dials; d != tt.wantDials {
				t.Errorf("%d connections dialled, want %d (retries of retryable failures only)", d, tt.wantDials)
			}
		})
	}
}
