package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/wsman/wsmantest"
	"github.com/rectifyhq/rectify/ops"
)

// startLab starts a lab on free ports and closes it when the test ends.
//
// Its hosts serve HTTPS: the tests of this package drive them with
// masterzen's client, which cannot encrypt messages as a default (HTTP)
// lab host requires. http_test.go tests that default.
func startLab(t testing.TB, sc Scenario, edit func(*Options)) *Lab {
	t.Helper()
	opts := Options{Dir: t.TempDir(), HTTPS: true}
	if edit != nil {
		edit(&opts)
	}
	l, err := Start(context.Background(), sc, opts)
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close lab: %v", err)
		}
	})
	return l
}

// client returns a masterzen/winrm client for a lab host that verifies TLS
// against the lab CA, with NTLM (go-ntlmssp, through wsmantest.NTLM, which
// sends a message again when masterzen's pooled connections lost its
// handshake) or Basic.
func client(t testing.TB, l *Lab, host string, ntlm bool) *winrm.Client {
	t.Helper()
	ep, ok := l.WinRM(host)
	if !ok {
		t.Fatalf("no WinRM endpoint for %s", host)
	}
	ip, portText, err := net.SplitHostPort(ep.Addr())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	endpoint := winrm.NewEndpoint(ip, port, true, false, l.CAPEM(), nil, nil, 30*time.Second)
	params := winrm.NewParameters("PT60S", "en-US", 153600)
	if ntlm {
		params.TransportDecorator = func() winrm.Transporter { return &wsmantest.NTLM{User: l.Username(), Password: l.Password()} }
	}
	c, err := winrm.NewClientWithParameters(endpoint, l.Username(), l.Password(), params)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// script returns the library's script for op, or a script holding only
// the marker when the library has none yet: the lab dispatches on the
// marker alone.
func script(op string) ops.Script {
	if s, err := ops.Lookup(op); err == nil {
		return s
	}
	return ops.Script{Op: op, Version: 1, Text: "# rectify:op " + op + " v1\nparam($argsBase64)\n"}
}

// result is what a command printed and how it ended.
type result struct {
	Stdout, Stderr string
	Code           int
}

// run runs a plain command line.
func run(t testing.TB, c *winrm.Client, line string) result {
	t.Helper()
	var out, errOut strings.Builder
	code, err := c.RunWithInput(line, &out, &errOut, strings.NewReader(""))
	if err != nil {
		t.Fatalf("run %q: %v", line, err)
	}
	return result{out.String(), errOut.String(), code}
}

// runScript runs a script through the bootstrap with its arguments.
func runScript(t testing.TB, c *winrm.Client, s ops.Script, args any) result {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	code, err := c.RunWithInput(ops.BootstrapCommand(), &out, &errOut, bytes.NewReader(ops.Stdin(s, b)))
	if err != nil {
		t.Fatalf("run %s: %v", s.Op, err)
	}
	return result{out.String(), errOut.String(), code}
}

// runOp runs an op of the library and decodes its result into out; it
// fails the test on a script error.
func runOp(t testing.TB, c *winrm.Client, op string, args, out any) {
	t.Helper()
	r := runScript(t, c, script(op), args)
	if r.Code != 0 {
		t.Fatalf("%s: exit %d, stderr %s", op, r.Code, r.Stderr)
	}
	if err := json.Unmarshal([]byte(r.Stdout), out); err != nil {
		t.Fatalf("%s: decode %q: %v", op, r.Stdout, err)
	}
}

// exchange returns what an exchange.* op needs to reach Exchange's
// management endpoint on host: its URI, and the lab's account as the
// explicit credential rectify's transport hands the op.
func exchange(l *Lab, host string) (ops.ExchangeEndpoint, *ops.Credential) {
	h, _ := l.Host(host)
	return ops.EndpointFor(h.FQDN), &ops.Credential{User: l.Username(), Password: l.Password()}
}
