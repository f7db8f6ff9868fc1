package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/metrics/metricstest"
	"github.com/rectifyhq/rectify/operation"
)

// setWindow rewrites the example's change window: "always" (a window
// that opens every minute for four hours) or "never" (one that opens on
// 30 February), so that the tests do not depend on the day they run.
func (f *labFixture) setWindow(t *testing.T, which string) {
	t.Helper()
	start := map[string]string{"always": "* * * * *", "never": "0 0 30 2 *"}[which]
	f.editPlaybook(t, "window start", regexp.MustCompile(`(?m)^    start    = "[^"]*"$`), `    start    = "`+start+`"`)
}

func (f *labFixture) logLevelSet(host string) bool {
	h, _ := f.lab.Host(host)
	_, _, exists := h.RegistryValue(lab.KerberosParametersKey, "LogLevel")
	return exists
}

func TestWatchOnceReportsThenCorrectsInsideTheWindow(t *testing.T) {
	f := startLab(t, lab.KB979174().WithFaults())
	f.setWindow(t, "never")

	// The playbook's drift block says monitor: the drift is reported and
	// journaled, nothing changes.
	got := f.rectify(t, "watch", "-once", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	if got.code != 0 {
		t.Fatalf("watch -once: %s", got)
	}
	for _, want := range []string{"monitor mode: succeeded: 2 drifted", "+ step.kerberos_log[ex01] create", "not applied: monitor mode"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("watch -once output lacks %q:\n%s", want, got)
		}
	}
	if f.logLevelSet("ex01") {
		t.Fatal("monitor mode set LogLevel")
	}
	// Correct mode outside the window only reports.
	got = f.rectify(t, "watch", "-once", "-mode", "correct", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	if got.code != 0 || !strings.Contains(got.stdout, "not applied: outside the playbook's change windows") || f.logLevelSet("ex01") {
		t.Fatalf("correct mode outside the window: %s", got)
	}
	// Inside the window it corrects.
	f.setWindow(t, "always")
	got = f.rectify(t, "watch", "-once", "-mode", "correct", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	// LogLevel on both servers, and the Kerberos log read again after it.
	if got.code != 0 || strings.Count(got.stdout, "      corrected") != 4 || !f.logLevelSet("ex01") || !f.logLevelSet("ex02") {
		t.Fatalf("correct mode inside the window: %s", got)
	}
	run, changes := f.history(t, "3")
	if run.Kind != operation.KindWatch || run.Outcome != operation.Succeeded || len(changes) != 4 {
		t.Errorf("history of the correcting cycle: %+v, %d change(s)", run, len(changes))
	}
}

func TestWatchUsageAndClearFlapping(t *testing.T) {
	f := startLab(t, lab.KB979174().WithFaults())
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"watch", "-inventory", "inventory.hcl", "-every", "1m", "-schedule", "@hourly", "exchange-454"}, exitUsage, "not both"},
		{[]string{"watch", "-inventory", "inventory.hcl", "-mode", "fix", "-once", "exchange-454"}, exitUsage, `mode "fix"`},
		{[]string{"watch", "-inventory", "inventory.hcl", "-once"}, exitUsage, "expected one PLAYBOOK"},
		{[]string{"watch", "-once", "exchange-454"}, exitUsage, "-inventory FILE is required"},
		{[]string{"watch", "-state", "journal.db", "-clear-flapping", "step.connector[ex02]", "exchange-454"}, exitError, "not flapping"},
	}
	for _, tt := range tests {
		got := f.rectify(t, tt.args...)
		if got.code != tt.code || !strings.Contains(got.stderr, tt.want) {
			t.Errorf("%q: %s; want exit %d and %q", tt.args, got, tt.code, tt.want)
		}
	}
}

// lockedBuffer is a buffer written by the command and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWatchRunsOnScheduleWithMetricsAndStops runs rectify watch on a
// one-second schedule, scrapes its /metrics over HTTP, and stops it as
// SIGTERM does (by cancelling its context).
func TestWatchRunsOnScheduleWithMetricsAndStops(t *testing.T) {
	f := startLab(t, lab.KB979174().WithFaults())
	f.setWindow(t, "always")
	var stdout, stderr lockedBuffer
	env := Env{
		Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(name string) (string, bool) { v, ok := f.env[name]; return v, ok },
		Getwd:     func() (string, error) { return f.dir, nil },
		Actions:   builtin.Registry(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() {
		exited <- Run(ctx, []string{"watch", "-inventory", "inventory.hcl", "-state", "journal.db", "-every", "1s", "-mode", "correct", "-metrics-addr", "127.0.0.1:0", "exchange-454"}, env)
	}()
	addrRE := regexp.MustCompile(`Serving metrics at http://([0-9.:]+)/metrics`)
	deadline := time.Now().Add(60 * time.Second)
	var addr string
	for {
		if m := addrRE.FindStringSubmatch(stdout.String()); m != nil && strings.Count(stdout.String(), " cycle (run ") >= 2 {
			addr = m[1]
			break
		}
		select {
		case code := <-exited:
			t.Fatalf("watch exited %d early:\n%s\n%s", code, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than two cycles:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{"Watching exchange-454 in correct mode, schedule every 1s", "      corrected"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	samples, err := metricstest.Scrape(ctx, "http://"+addr+"/metrics")
	if err != nil {
		t.Fatal(err)
	}
	applied := metricstest.Series("rectify_drift_corrections_total", "playbook", "exchange-454", "step", "kerberos_log", "host", "ex01", "result", "applied")
	if samples[applied] != 1 {
		t.Errorf("%s = %v, want 1", applied, samples[applied])
	}
	if n := samples[metricstest.Series("rectify_drift_runs_total", "playbook", "exchange-454", "outcome", "succeeded")]; n < 2 {
		t.Errorf("succeeded runs = %v", n)
	}
	if pending := samples.Family("rectify_drift_pending_changes"); len(pending) != 0 {
		t.Errorf("pending changes after the corrections: %v", pending)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz = %d", resp.StatusCode)
	}

	cancel()
	select {
	case code := <-exited:
		if code != 0 || !strings.Contains(stdout.String(), "Stopped.") {
			t.Errorf("after the stop: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("watch did not stop")
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the metrics server still answers after the stop")
	}
	for name, secret := range f.env {
		if strings.Contains(name, "PASSWORD") && (strings.Contains(stdout.String(), secret) || strings.Contains(stderr.String(), secret)) {
			t.Errorf("watch printed the value of %s", name)
		}
	}
	j, err := journal.Open(context.Background(), f.state)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	runs, err := j.Runs(context.Background(), 100)
	if err != nil || len(runs) < 2 {
		t.Fatalf("runs: %v, %v", runs, err)
	}
	for _, r := range runs {
		if r.Outcome == operation.Running {
			t.Errorf("run %d still running after the stop", r.ID)
		}
	}
}

// TestWatchRunsTheFirstCycleAtStart: with an hourly interval, the first
// cycle is journaled and printed at once, not an hour later.
func TestWatchRunsTheFirstCycleAtStart(t *testing.T) {
	f := startLab(t, lab.KB979174())
	var stdout, stderr lockedBuffer
	env := Env{
		Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(name string) (string, bool) { v, ok := f.env[name]; return v, ok },
		Getwd:     func() (string, error) { return f.dir, nil },
		Actions:   builtin.Registry(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() {
		exited <- Run(ctx, []string{"watch", "-inventory", "inventory.hcl", "-state", "journal.db", "-every", "1h", "exchange-454"}, env)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(stdout.String(), " cycle (run 1)") {
		select {
		case code := <-exited:
			t.Fatalf("watch exited %d early:\n%s\n%s", code, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cycle within a minute of the start, with -every 1h:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-exited; code != exitOK {
		t.Errorf("watch stopped with %d:\n%s", code, stderr.String())
	}
	if run, _ := f.history(t, "1"); run.Kind != operation.KindWatch || run.Outcome != operation.Succeeded {
		t.Errorf("the first cycle's run: %+v", run)
	}
}

// TestWatchHelpSaysTheDefaults: every option of watch whose value is not
// given says what applies then.
func TestWatchHelpSaysTheDefaults(t *testing.T) {
	got := run(t, runOptions{}, "help", "watch")
	if got.code != exitOK {
		t.Fatalf("help watch: %s", got)
	}
	for _, want := range []string{
		"The first cycle runs at once",
		"there is no default schedule",
		"-schedule LINE\n      start a cycle on this cron line (\"*/15 * * * *\", \"@hourly\"); default: the playbook's drift schedule\n",
		"-every INTERVAL\n      start a cycle this interval (such as 15m) after the previous one ended; no default\n",
		"default: the playbook's drift mode, else monitor\n",
		"default: no metrics served\n",
		"(default 3)\n",
		"(default 24h0m0s)\n",
		"(default 50)\n",
	} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("help watch lacks %q:\n%s", want, got.stdout)
		}
	}
}
