//go:build linux

package winrm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// The hostile tests run the client in a process of its own
// (testdata/hostileclient, built without the race detector), so that its
// peak RSS measures what one hostile host costs, apart from the server and
// the other tests.
const (
	// hostileTimeout is the client's Timeout.
	hostileTimeout = 4 * time.Second
	// hostileHeadroom is what a hostile host may cost beyond a healthy
	// one: the limits (64 KiB of headers, 600 KiB of body, 4 MiB of output)
	// and the garbage collector's slack.
	hostileHeadroom = 16 << 20
)

var (
	buildClient sync.Once
	clientPath  string
	clientErr   error
)

// hostileClient builds testdata/hostileclient once per test run.
func hostileClient(t *testing.T) string {
	t.Helper()
	buildClient.Do(func() {
		dir, err := os.MkdirTemp("", "rectify-hostileclient-")
		if err != nil {
			clientErr = err
			return
		}
		clientPath = filepath.Join(dir, "hostileclient")
		// The go command that runs these tests.
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(goTool, "build", "-o", clientPath, "./testdata/hostileclient")
		if out, err := cmd.CombinedOutput(); err != nil {
			clientErr = fmt.Errorf("build the hostile client: %v\n%s", err, out)
		}
	})
	if clientErr != nil {
		t.Fatal(clientErr)
	}
	return clientPath
}

// childOutcome is what the client reports of its one mutating run.
type childOutcome struct {
	OK         bool   `json:"ok"`
	Kind       string `json:"kind"`
	Class      string `json:"class"`
	MayHaveRun bool   `json:"may_have_run"`
	Error      string `json:"error"`
	PeakRSS    int64  `json:"peak_rss"`
}

// runChild runs the client against srv and returns its outcome, its peak
// RSS in bytes and how long it ran.
func runChild(t *testing.T, srv *hostileServer, auth string) (childOutcome, int64, time.Duration) {
	t.Helper()
	client := hostileClient(t)
	ip, port := srv.addr()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, client, net.JoinHostPort(ip, strconv.Itoa(port)), auth, hostileTimeout.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("client process: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	elapsed := time.Since(start)
	var out childOutcome
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("client process output %q: %v\n%s", stdout.String(), err, stderr.String())
	}
	if out.PeakRSS <= 0 {
		t.Fatalf("the client process reported no peak RSS: %s", stdout.String())
	}
	return out, out.PeakRSS, elapsed
}

// TestHostileHostCannotHurtTheClient drives the client against hosts that
// answer with what would panic a parser or exhaust memory: empty and non-XML
// Receive answers, endless header lines, headers, challenges, bodies and
// command output, sealed answers that are plain, do not unseal, lie about
// their length or never end, and an answer that trickles in. Each must end as a
// permanent error of that host naming what went wrong, never retried once
// the command may have run, within the client's timeout, and cost the
// client process at most a few megabytes more than a healthy host does.
func TestHostileHostCannotHurtTheClient(t *testing.T) {
	healthy, err := newHostileServer(func(w *bufio.Writer, action string, r *http.Request) error {
		return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", wellBehaved(action))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer healthy.close()
	out, baseline, _ := runChild(t, healthy, AuthBasic)
	if !out.OK {
		t.Fatalf("healthy host: %+v", out)
	}
	t.Logf("healthy host: client peak RSS %.1f MiB", float64(baseline)/(1<<20))

	tests := []struct {
		name string
		auth string
		kind actions.Kind
		// says are parts of the error message.
		says       []string
		mayHaveRun bool
	}{
		{"empty receive", AuthBasic, actions.KindProtocol, []string{"hostile01", "receive: the answer is empty"}, true},
		{"receive not xml", AuthBasic, actions.KindProtocol, []string{"hostile01", "receive: the answer is not XML"}, true},
		{"endless header line", AuthBasic, actions.KindProtocol, []string{"hostile01", "headers passed the limit of 65536 bytes"}, false},
		{"endless headers", AuthBasic, actions.KindProtocol, []string{"hostile01", "headers passed the limit of 65536 bytes"}, false},
		{"endless www-authenticate", AuthNTLM, actions.KindProtocol, []string{"hostile01", "headers passed the limit of 65536 bytes"}, false},
		{"endless body", AuthBasic, actions.KindProtocol, []string{"hostile01", "body passed the limit of 614400 bytes"}, false},
		{"huge content length", AuthBasic, actions.KindProtocol, []string{"hostile01", "body passed the limit of 614400 bytes"}, false},
		{"endless output", AuthBasic, actions.KindProtocol, []string{"hostile01", "output passed the limit of 4194304 bytes"}, true},
		{"plain answer to a sealed request", AuthNTLM, actions.KindProtocol, []string{"hostile01", "unencrypted answer (http 200) on a connection whose messages are encrypted"}, false},
		{"answer that does not unseal", AuthNTLM, actions.KindProtocol, []string{"hostile01", "encrypted answer: ntlm: the message's signature does not verify"}, false},
		{"absurd original length", AuthNTLM, actions.KindProtocol, []string{"hostile01", "encrypted answer: 4 sealed bytes for an original length of 99999999999999"}, false},
		{"endless sealed body", AuthNTLM, actions.KindProtocol, []string{"hostile01", "body passed the limit of 614400 bytes"}, false},
		{"trickle", AuthBasic, actions.KindTimeout, []string{"hostile01"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := newHostileServer(hostileCases[tt.name])
			if err != nil {
				t.Fatal(err)
			}
			defer srv.close()
			out, rss, elapsed := runChild(t, srv, tt.auth)
			t.Logf("%s: client peak RSS %.1f MiB, %v: %s", tt.name, float64(rss)/(1<<20), elapsed.Round(time.Millisecond), out.Error)
			if out.OK || out.Kind != string(tt.kind) || out.Class != actions.Permanent.String() || out.MayHaveRun != tt.mayHaveRun {
				t.Errorf("outcome %+v; want a permanent %s error, may have run %v", out, tt.kind, tt.mayHaveRun)
			}
			for _, s := range tt.says {
				if !strings.Contains(out.Error, s) {
					t.Errorf("error %q does not say %q", out.Error, s)
				}
			}
			if n := srv.commands.Load(); n > 1 {
				t.Errorf("the mutating command was sent %d times", n)
			}
			if rss > baseline+hostileHeadroom {
				t.Errorf("client peak RSS %.1f MiB, more than %.0f MiB above a healthy host's %.1f MiB",
					float64(rss)/(1<<20), float64(hostileHeadroom)/(1<<20), float64(baseline)/(1<<20))
			}
			// Process start and exit, and the retries of a failure that may be
			// retried, come on top of the operation's timeout.
			if limit := hostileTimeout + 3*time.Second; elapsed > limit {
				t.Errorf("the client took %v, more than %v", elapsed, limit)
			}
		})
	}
}
