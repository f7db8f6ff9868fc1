package winrm

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// benchLatency is added by the lab to every HTTP answer, as a WAN link or
// a busy WinRM service would.
const benchLatency = 20 * time.Millisecond

// fiveReads are the reads a plan of KB 979174 makes on an Exchange server.
func fiveReads(t testing.TB) []ops.ScriptRun {
	kerberos := `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`
	return []ops.ScriptRun{
		runOf(t, ops.TimeRead, ops.TimeReadArgs{}),
		runOf(t, ops.RegistryGet, ops.RegistryGetArgs{Path: kerberos, Name: "LogLevel"}),
		runOf(t, ops.RegistryGet, ops.RegistryGetArgs{Path: kerberos, Name: "SkewTime"}),
		runOf(t, ops.EventsQuery, ops.EventsQueryArgs{Log: "System", Provider: "Microsoft-Windows-Security-Kerberos", Max: 50}),
		runOf(t, ops.ConnectorGet, ops.ConnectorGetArgs{Server: "EX01"}),
	}
}

// batchOf folds runs into one batch op.
func batchOf(t testing.TB, runs []ops.ScriptRun) ops.ScriptRun {
	var args ops.BatchArgs
	for i, r := range runs {
		var a any
		if err := json.Unmarshal(r.Args, &a); err != nil {
			t.Fatal(err)
		}
		args.Items = append(args.Items, ops.BatchItem{ID: string(rune('a' + i)), Script: r.Script.Text, Args: a})
	}
	return runOf(t, ops.Batch, args)
}

// BenchmarkFiveReads prints, for one host behind 20 ms of latency per
// request, the HTTP exchanges, SOAP messages and wall time of five reads:
// batched into one command, run one by one through one Shell, and run by
// masterzen's stock client (NTLM transport, a shell per command). Every
// iteration starts cold: connect, authenticate, create the shell, delete
// it. It asserts nothing.
func BenchmarkFiveReads(b *testing.B) {
	l := newTestLab(b, nil)
	h, cfg := l.host(b, "ex01")
	if err := h.SetFaults(wsman.Faults{Latency: benchLatency}); err != nil {
		b.Fatal(err)
	}
	reads := fiveReads(b)
	batch := batchOf(b, reads)
	ctx := context.Background()
	scenarios := []struct {
		name string
		run  func(b *testing.B)
	}{
		{"batched", func(b *testing.B) {
			s := mustShell(b, cfg)
			defer s.Close()
			res, err := s.RunScript(ctx, batch)
			if err != nil {
				b.Fatal(err)
			}
			var out ops.BatchResult
			if err := json.Unmarshal(res.Output, &out); err != nil || len(out.Results) != len(reads) {
				b.Fatalf("batch result %s (%v)", res.Output, err)
			}
		}},
		{"one-by-one", func(b *testing.B) {
			s := mustShell(b, cfg)
			defer s.Close()
			for _, r := range reads {
				if _, err := s.RunScript(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"stock-masterzen", func(b *testing.B) {
			c := stockClient(b, l, h, cfg)
			for _, r := range reads {
				var stdout, stderr strings.Builder
				// RunWithInput, not RunWithString: RunWithString ends
				// standard input only after the command exits, and the
				// bootstrap reads its input to the end first.
				code, err := c.RunWithInput(ops.BootstrapCommand(), &stdout, &stderr, strings.NewReader(string(ops.Stdin(r.Script, r.Args))))
				if err != nil || code != 0 || !json.Valid([]byte(stdout.String())) {
					b.Fatalf("stock client: exit %d, %v, stderr %q", code, err, stderr.String())
				}
			}
		}},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			before := h.Counts()
			for b.Loop() {
				sc.run(b)
			}
			after := h.Counts()
			n := float64(b.N)
			b.ReportMetric(float64(after.HTTP-before.HTTP)/n, "http/op")
			b.ReportMetric(float64(after.SOAP()-before.SOAP())/n, "soap/op")
			b.ReportMetric(float64(after.Handshakes-before.Handshakes)/n, "ntlm/op")
			b.ReportMetric(float64(after.Connections-before.Connections)/n, "conns/op")
		})
	}
}

func mustShell(b *testing.B, cfg Config) *Shell {
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// stockClient is masterzen's own client with its NTLM transport, verifying
// the lab CA.
func stockClient(b testing.TB, l *testLab, h *wsman.Host, cfg Config) *winrm.Client {
	endpoint := winrm.NewEndpoint(cfg.Address, cfg.Port, true, false, l.ca.PEM(), nil, nil, cfg.Timeout)
	endpoint.TLSServerName = cfg.ServerName
	params := winrm.NewParameters("PT20S", "en-US", 153600)
	params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	c, err := winrm.NewClientWithParameters(endpoint, labUser, labPassword, params)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkTransportSecurity prints, for one host behind 20 ms of latency
// per request, the HTTP exchanges and wall time of a batched read: cold (a
// new Shell: connect, authenticate, create the shell, run, delete it) and
// warm (one more command on an open Shell), over HTTPS, over HTTP with NTLM
// message encryption (a default Windows server), and over plain HTTP (a
// host with AllowUnencrypted). It asserts nothing.
func BenchmarkTransportSecurity(b *testing.B) {
	batch := batchOf(b, fiveReads(b))
	ctx := context.Background()
	listeners := []struct {
		name string
		opts func(*wsman.Options)
		edit func(*Config)
	}{
		{"https", nil, nil},
		{"http-sealed", func(o *wsman.Options) { o.HTTP, o.CA = true, nil }, nil},
		{"http-plain", func(o *wsman.Options) { o.HTTP, o.CA, o.AllowUnencrypted = true, nil, true },
			func(c *Config) { c.Encryption, c.AllowUnencrypted = EncryptionNever, true }},
	}
	for _, ls := range listeners {
		l := newTestLab(b, ls.opts)
		h, cfg := l.host(b, "ex01")
		if ls.edit != nil {
			ls.edit(&cfg)
		}
		if err := h.SetFaults(wsman.Faults{Latency: benchLatency}); err != nil {
			b.Fatal(err)
		}
		report := func(b *testing.B, before wsman.Counts) {
			after := h.Counts()
			n := float64(b.N)
			b.ReportMetric(float64(after.HTTP-before.HTTP)/n, "http/op")
			b.ReportMetric(float64(after.Encrypted-before.Encrypted)/n, "sealed/op")
		}
		b.Run(ls.name+"/cold", func(b *testing.B) {
			before := h.Counts()
			for b.Loop() {
				s := mustShell(b, cfg)
				if _, err := s.RunScript(ctx, batch); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			report(b, before)
		})
		b.Run(ls.name+"/warm", func(b *testing.B) {
			s := mustShell(b, cfg)
			defer s.Close()
			if _, err := s.RunScript(ctx, batch); err != nil {
				b.Fatal(err)
			}
			before := h.Counts()
			for b.Loop() {
				if _, err := s.RunScript(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			report(b, before)
		})
	}
}
