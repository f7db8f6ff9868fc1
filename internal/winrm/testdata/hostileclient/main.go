// Command hostileclient runs one mutating script op through
// internal/winrm against the host given as its argument (ADDR AUTH) and
// prints the outcome as JSON, with its own peak RSS. The hostile tests of
// internal/winrm build it without the race detector: its peak RSS is what
// one hostile host costs a client process, apart from the test's server.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/ops"
)

// outcome is what the tests read.
type outcome struct {
	OK         bool   `json:"ok"`
	Kind       string `json:"kind"`
	Class      string `json:"class"`
	MayHaveRun bool   `json:"may_have_run"`
	Error      string `json:"error"`
	// PeakRSS is the process's VmHWM in bytes: its own high-water mark,
	// unlike the rusage a parent reads, which on Linux also counts the
	// parent's memory shared before exec.
	PeakRSS int64 `json:"peak_rss"`
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: hostileclient ADDR AUTH TIMEOUT (basic: plain HTTP; ntlm: sealed)")
		os.Exit(2)
	}
	host, portText, err := net.SplitHostPort(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	port, _ := strconv.Atoi(portText)
	timeout, err := time.ParseDuration(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cfg := winrm.Config{Host: "hostile01", Address: host, Port: port, Auth: os.Args[2],
		Username: `LAB\rectify`, Password: secret.New("pw"), Timeout: timeout, OperationTimeout: time.Second, MaxAttempts: 3}
	if cfg.Auth == winrm.AuthBasic {
		// Basic cannot seal: plain HTTP, as a host with AllowUnencrypted.
		cfg.Encryption, cfg.AllowUnencrypted = winrm.EncryptionNever, true
	}
	s, err := winrm.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	run := ops.ScriptRun{Script: ops.Script{Op: "test.hostile", Text: "# rectify:op test.hostile v1\n'{}'"},
		Args: json.RawMessage("{}"), Mutates: true}
	_, err = s.RunScript(context.Background(), run)
	out := outcome{OK: err == nil}
	var te *actions.TransportError
	if errors.As(err, &te) {
		out.Kind, out.Class, out.MayHaveRun, out.Error = string(te.Kind), te.Class.String(), te.MayHaveRun, te.Error()
	} else if err != nil {
		out.Error = err.Error()
	}
	if out.PeakRSS, err = peakRSS(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}
