package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/build"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/metrics/metricstest"
)

var t0 = time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func serve(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func scrape(t *testing.T, url string) metricstest.Samples {
	t.Helper()
	s, err := metricstest.Scrape(context.Background(), url+"/metrics")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCycleReplacesDriftSeriesAndCountsRuns(t *testing.T) {
	m := metrics.New(metrics.Options{})
	url := serve(t, m)
	first := drift.Figures{
		Playbook: "exchange-454", Started: t0, Duration: 1500 * time.Millisecond, Outcome: "succeeded",
		Pending: []drift.PendingFigure{{Step: "smtp", Host: "ex02", Action: "update"}, {Step: "kerberos_log", Host: "ex01", Action: "update"}, {Step: "ports", Host: "ex02", Action: "blocked"}},
		Drift:   []drift.DriftFigure{{Step: "smtp", Host: "ex02", FirstSeen: t0}, {Step: "kerberos_log", Host: "ex01", FirstSeen: t0.Add(-time.Hour), Flapping: true}},
		Hosts:   []drift.HostFigure{{Name: "ex01", Up: true}, {Name: "ex02", Up: false}},
	}
	m.ObserveCycle(first)
	second := drift.Figures{
		Playbook: "exchange-454", Started: t0.Add(time.Minute), Duration: 2 * time.Second, Outcome: "failed",
		Pending:     []drift.PendingFigure{{Step: "ports", Host: "ex02", Action: "blocked"}},
		Corrections: []drift.CorrectionFigure{{Step: "smtp", Host: "ex02", Result: "applied"}, {Step: "kerberos_log", Host: "ex01", Result: "failed"}},
		Hosts:       []drift.HostFigure{{Name: "ex01", Up: true}, {Name: "ex02", Up: true}},
	}
	m.ObserveCycle(second)
	m.CycleSkipped("exchange-454", "locked")
	got := scrape(t, url)

	pb := []string{"playbook", "exchange-454"}
	with := func(name string, labels ...string) string { return metricstest.Series(name, append(pb, labels...)...) }
	tests := []struct {
		family string
		want   metricstest.Samples
	}{
		{"rectify_drift_pending_changes", metricstest.Samples{with("rectify_drift_pending_changes", "step", "ports", "host", "ex02", "action", "blocked"): 1}},
		{"rectify_drift_first_seen_timestamp_seconds", metricstest.Samples{}},
		{"rectify_drift_flapping", metricstest.Samples{}},
		{"rectify_drift_host_up", metricstest.Samples{with("rectify_drift_host_up", "host", "ex01"): 1, with("rectify_drift_host_up", "host", "ex02"): 1}},
		{"rectify_drift_corrections_total", metricstest.Samples{
			with("rectify_drift_corrections_total", "step", "smtp", "host", "ex02", "result", "applied"):        1,
			with("rectify_drift_corrections_total", "step", "kerberos_log", "host", "ex01", "result", "failed"): 1,
		}},
		{"rectify_drift_runs_total", metricstest.Samples{with("rectify_drift_runs_total", "outcome", "succeeded"): 1, with("rectify_drift_runs_total", "outcome", "failed"): 1}},
		{"rectify_drift_cycles_skipped_total", metricstest.Samples{with("rectify_drift_cycles_skipped_total", "reason", "locked"): 1}},
		{"rectify_drift_last_run_timestamp_seconds", metricstest.Samples{with("rectify_drift_last_run_timestamp_seconds"): float64(t0.Add(time.Minute).Unix())}},
		{"rectify_drift_last_run_duration_seconds", metricstest.Samples{with("rectify_drift_last_run_duration_seconds"): 2}},
		{"rectify_drift_last_run_outcome", metricstest.Samples{
			with("rectify_drift_last_run_outcome", "outcome", "succeeded"): 0, with("rectify_drift_last_run_outcome", "outcome", "failed"): 1,
			with("rectify_drift_last_run_outcome", "outcome", "interrupted"): 0, with("rectify_drift_last_run_outcome", "outcome", "refused"): 0,
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, got.Family(tt.family)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.family, diff)
		}
	}
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("the Go runtime collector is missing")
	}

	// The first cycle's drift series, checked on a fresh Metrics.
	m2 := metrics.New(metrics.Options{})
	m2.ObserveCycle(first)
	got = scrape(t, serve(t, m2))
	want := metricstest.Samples{
		with("rectify_drift_first_seen_timestamp_seconds", "step", "smtp", "host", "ex02"):         float64(t0.Unix()),
		with("rectify_drift_first_seen_timestamp_seconds", "step", "kerberos_log", "host", "ex01"): float64(t0.Add(-time.Hour).Unix()),
	}
	if diff := cmp.Diff(want, got.Family("rectify_drift_first_seen_timestamp_seconds")); diff != "" {
		t.Errorf("first seen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(metricstest.Samples{with("rectify_drift_flapping", "step", "kerberos_log", "host", "ex01"): 1}, got.Family("rectify_drift_flapping")); diff != "" {
		t.Errorf("flapping (-want +got):\n%s", diff)
	}
	if got[with("rectify_drift_host_up", "host", "ex02")] != 0 {
		t.Errorf("ex02 was down: %v", got.Family("rectify_drift_host_up"))
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := metrics.New(metrics.Options{}), metrics.New(metrics.Options{})
	a.ObserveCycle(drift.Figures{Playbook: "a", Outcome: "succeeded"})
	got := scrape(t, serve(t, b))
	if n := len(got.Family("rectify_drift_runs_total")); n != 0 {
		t.Errorf("a cycle of one Metrics shows in another: %v", got.Family("rectify_drift_runs_total"))
	}
}

func TestHealthzFollowsTheSchedule(t *testing.T) {
	clock := &fakeClock{t: t0}
	m := metrics.New(metrics.Options{Now: clock.Now, Grace: time.Minute})
	url := serve(t, m)
	get := func() int {
		t.Helper()
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	steps := []struct {
		name   string
		expect time.Time // zero: leave as is
		now    time.Time
		want   int
	}{
		{"nothing scheduled yet", time.Time{}, t0, http.StatusServiceUnavailable},
		{"next cycle due soon", t0.Add(15 * time.Second), t0, http.StatusOK},
		{"cycle late within the grace", time.Time{}, t0.Add(70 * time.Second), http.StatusOK},
		{"cycle late past the grace", time.Time{}, t0.Add(80 * time.Second), http.StatusServiceUnavailable},
		{"the cycle ran and the next is due", t0.Add(2 * time.Minute), t0.Add(80 * time.Second), http.StatusOK},
	}
	for _, s := range steps {
		if !s.expect.IsZero() {
			m.ExpectCycle(s.expect)
		}
		clock.Set(s.now)
		if got := get(); got != s.want {
			t.Errorf("%s: /healthz = %d, want %d", s.name, got, s.want)
		}
	}
}

func TestBuildInfoNamesTheBinary(t *testing.T) {
	m := metrics.New(metrics.Options{Build: build.Info{Version: "v1.2.3", Revision: "0123456789abcdef0123", Modified: true, GoVersion: "go1.26.0"}})
	got := scrape(t, serve(t, m)).Family("rectify_build_info")
	want := metricstest.Samples{metricstest.Series("rectify_build_info", "version", "v1.2.3", "revision", "0123456789ab+modified", "goversion", "go1.26.0"): 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := scrape(t, serve(t, metrics.New(metrics.Options{}))).Family("rectify_build_info"); len(got) != 1 {
		t.Errorf("without Build: %v, want the binary's own build", got)
	}
}
