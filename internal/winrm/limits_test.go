package winrm

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/ops"
)

// TestOutputLimit: a run that prints more than its MaxOutput (or the
// Config's MaxOutputBytes) fails with a permanent protocol error naming the
// limit, is terminated on the host, and leaves the shell usable.
func TestOutputLimit(t *testing.T) {
	l := newTestLab(t, nil)
	h, cfg := l.host(t, "ex01")
	cfg.MaxOutputBytes = 64 << 10
	s := newShell(t, cfg)
	tests := []struct {
		name      string
		bytes     int
		maxOutput int64
		wantLimit string // "" for success
	}{
		{"within the default", 32 << 10, 0, ""},
		{"past the default", 80 << 10, 0, "limit of 65536 bytes"},
		{"past the run's own limit", 2000, 1000, "limit of 1000 bytes"},
		{"run's own limit above the default", 80 << 10, 128 << 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := runOf(t, "test.print", map[string]int{"bytes": tt.bytes})
			run.MaxOutput = tt.maxOutput
			run.Mutates = true
			signals := h.Counts().Signal
			res, err := s.RunScript(context.Background(), run)
			if tt.wantLimit == "" {
				if err != nil || len(res.Output) != tt.bytes+2 {
					t.Fatalf("RunScript: %d bytes of output, %v", len(res.Output), err)
				}
				return
			}
			var te *actions.TransportError
			if !errors.As(err, &te) || te.Kind != actions.KindProtocol || te.Class != actions.Permanent || !te.MayHaveRun {
				t.Fatalf("error %#v, want a permanent protocol error that may have run", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "ex01") || !strings.Contains(msg, tt.wantLimit) {
				t.Errorf("error %q does not name the host and the %s", msg, tt.wantLimit)
			}
			if res.Stdout != "" {
				t.Errorf("a run past its limit returned %d bytes of output", len(res.Stdout))
			}
			if h.Counts().Signal <= signals {
				t.Error("the command was not terminated")
			}
		})
	}
	if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
		t.Errorf("the shell is not usable after an output limit: %v", err)
	}
}

// TestPanicIsContained: a panic while handling a host's answer becomes a
// permanent protocol error of that host, marked as may-have-run when a
// mutating command may have started.
func TestPanicIsContained(t *testing.T) {
	s, err := New(Config{Host: "ex01", Address: "127.0.0.1", Username: "u", Password: secret.New("p")})
	if err != nil {
		t.Fatal(err)
	}
	handle := func(started bool) (err error) {
		defer s.contained("test.op", &err, func() bool { return started })
		var answer map[string]int
		answer["x"]++ // a nil map: panics
		return nil
	}
	for _, started := range []bool{false, true} {
		err := handle(started)
		var te *actions.TransportError
		if !errors.As(err, &te) || te.Kind != actions.KindProtocol || te.Class != actions.Permanent || te.MayHaveRun != started {
			t.Fatalf("started %v: error %#v", started, err)
		}
		if !strings.Contains(err.Error(), "ex01: test.op: protocol: internal error") {
			t.Errorf("error %q", err)
		}
	}
	var err2 error
	func() {
		defer contain(&err2)
		panic("in a goroutine of a command")
	}()
	var p *panicError
	if !errors.As(err2, &p) || len(p.stack) == 0 {
		t.Errorf("contain: %#v", err2)
	}
}

const (
	envOpen  = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body>`
	envClose = `</s:Body></s:Envelope>`
	cmdID    = "C1"
	done     = `<rsp:CommandState CommandId="C1" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>%s</rsp:ExitCode></rsp:CommandState>`
)

// TestParseReceived reads Receive answers as Windows sends them and refuses
// what a broken or hostile host could send instead.
func TestParseReceived(t *testing.T) {
	doneWith := func(code string) string { return strings.Replace(done, "%s", code, 1) }
	tests := []struct {
		name    string
		body    string
		want    received
		wantErr string
	}{
		{"output and done", envOpen + `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">aGk=</rsp:Stream>` +
			`<rsp:Stream Name="stderr" CommandId="C1">ZXJy</rsp:Stream><rsp:Stream Name="stdout" CommandId="C1" End="true"></rsp:Stream>` +
			doneWith("3") + `</rsp:ReceiveResponse>` + envClose,
			received{stdout: [][]byte{[]byte("hi")}, stderr: [][]byte{[]byte("err")}, done: true, exitCode: 3}, ""},
		{"running", envOpen + `<rsp:ReceiveResponse><rsp:CommandState CommandId="C1" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"/></rsp:ReceiveResponse>` + envClose,
			received{}, ""},
		{"exit code of a crash", envOpen + `<rsp:ReceiveResponse>` + doneWith("3221225477") + `</rsp:ReceiveResponse>` + envClose,
			received{done: true, exitCode: 3221225477}, ""},
		{"empty", "", received{}, "the answer is empty"},
		{"blank", " \r\n", received{}, "the answer is empty"},
		{"not xml", "<<<", received{}, "not XML"},
		{"truncated", envOpen + `<rsp:ReceiveResponse><rsp:Stream Name="stdout"`, received{}, "not XML"},
		{"not soap", `<html><body>Service Unavailable</body></html>`, received{}, "not a SOAP 1.2 envelope"},
		{"no response", envOpen + envClose, received{}, "no ReceiveResponse"},
		{"bad base64", envOpen + `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">!!!</rsp:Stream></rsp:ReceiveResponse>` + envClose,
			received{}, "not base64"},
		{"another command", envOpen + `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C2">aGk=</rsp:Stream></rsp:ReceiveResponse>` + envClose,
			received{}, "another command"},
		{"unknown stream", envOpen + `<rsp:ReceiveResponse><rsp:Stream Name="pr0n" CommandId="C1">aGk=</rsp:Stream></rsp:ReceiveResponse>` + envClose,
			received{}, "not asked for"},
		{"exit code not a number", envOpen + `<rsp:ReceiveResponse>` + doneWith("zero") + `</rsp:ReceiveResponse>` + envClose,
			received{}, `exit code "zero" is not a number`},
		{"deep nesting", envOpen + strings.Repeat("<a>", 20000) + strings.Repeat("</a>", 20000) + envClose, received{}, "no ReceiveResponse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseReceived([]byte(tt.body), cmdID)
			if tt.wantErr != "" {
				var pe *protocolError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want a protocol error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(received{})); diff != "" {
				t.Errorf("received (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseCreatedAndCommand reads the ids of Create and Command answers
// and refuses answers that name none.
func TestParseCreatedAndCommand(t *testing.T) {
	created := envOpen + `<x:ResourceCreated xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
		`<a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">S1</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` + envClose
	if id, err := parseCreated([]byte(created)); err != nil || id != "S1" {
		t.Errorf("parseCreated = %q, %v", id, err)
	}
	if id, err := parseCreated([]byte(envOpen + envClose)); err == nil {
		t.Errorf("parseCreated of an answer without ShellId = %q", id)
	}
	command := envOpen + `<rsp:CommandResponse><rsp:CommandId>C1</rsp:CommandId></rsp:CommandResponse>` + envClose
	if id, err := parseCommand([]byte(command)); err != nil || id != "C1" {
		t.Errorf("parseCommand = %q, %v", id, err)
	}
	for _, body := range []string{"", "{}", envOpen + envClose} {
		if id, err := parseCommand([]byte(body)); err == nil {
			t.Errorf("parseCommand(%q) = %q", body, id)
		}
	}
}

// FuzzParseReceived: no answer makes the parser panic.
func FuzzParseReceived(f *testing.F) {
	f.Add([]byte(envOpen + `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">aGk=</rsp:Stream>` +
		strings.Replace(done, "%s", "0", 1) + `</rsp:ReceiveResponse>` + envClose))
	f.Add([]byte(""))
	f.Add([]byte("<s:Envelope"))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = parseReceived(body, cmdID)
		_, _ = parseCreated(body)
		_, _ = parseCommand(body)
	})
}
