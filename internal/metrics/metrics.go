package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/build"
)

// Namespace prefixes every metric name.
const Namespace = "rectify"

// Outcomes are the run outcomes the last-outcome gauge knows, as the
// journal spells them.
var Outcomes = []string{"succeeded", "failed", "interrupted", "refused"}

// Options configure a Metrics.
type Options struct {
	// Now returns the current time for /healthz; nil means time.Now.
	Now func() time.Time
	// Grace is how long past its scheduled time a cycle may be before
	// /healthz fails; 0 means DefaultGrace.
	Grace time.Duration
	// Build identifies the running binary in rectify_build_info; a zero
	// value reads it from the binary's build information.
	Build build.Info
}

// DefaultGrace is how late a cycle may be before /healthz fails.
const DefaultGrace = 5 * time.Minute

// Metrics is one watcher's collectors on their own registry. Its methods
// are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time

	pending      *prometheus.GaugeVec
	firstSeen    *prometheus.GaugeVec
	flapping     *prometheus.GaugeVec
	hostUp       *prometheus.GaugeVec
	corrections  *prometheus.CounterVec
	runs         *prometheus.CounterVec
	skipped      *prometheus.CounterVec
	lastRun      *prometheus.GaugeVec
	lastDuration *prometheus.GaugeVec
	lastOutcome  *prometheus.GaugeVec
	nextRun      prometheus.Gauge
	active       *prometheus.GaugeVec

	mu       sync.Mutex // serialises a cycle's updates
	health   sync.Mutex
	deadline time.Time
	grace    time.Duration
}

// New returns a Metrics with every collector registered on a fresh
// registry, the Go runtime and process collectors included.
func New(opts Options) *Metrics {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	step := []string{"playbook", "step", "host"}
	m := &Metrics{
		reg:   prometheus.NewRegistry(),
		now:   now,
		grace: grace,
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "pending_changes",
			Help: "Changes the last drift cycle planned, by playbook, step, host and action (blocked included)."}, append(step, "action")),
		firstSeen: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "first_seen_timestamp_seconds",
			Help: "When the drift of a step on a host still drifting was first seen (Unix time)."}, step),
		flapping: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "flapping",
			Help: "1 for an item whose drift came back after repeated corrections: no longer corrected until a person clears it."}, step),
		hostUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "host_up",
			Help: "1 when the last drift cycle could read the host, 0 when it could not."}, []string{"playbook", "host"}),
		corrections: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "drift", Name: "corrections_total",
			Help: "Corrections attempted by drift cycles, by result (applied, failed, stale, interrupted)."}, append(step, "result")),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "drift", Name: "runs_total",
			Help: "Drift cycles run, by outcome."}, []string{"playbook", "outcome"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "drift", Name: "cycles_skipped_total",
			Help: "Drift cycles skipped, by reason (locked: another run held the lock; overrun: the previous cycle was still running)."}, []string{"playbook", "reason"}),
		lastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "last_run_timestamp_seconds",
			Help: "When the last drift cycle started (Unix time)."}, []string{"playbook"}),
		lastDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "last_run_duration_seconds",
			Help: "How long the last drift cycle took."}, []string{"playbook"}),
		lastOutcome: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "last_run_outcome",
			Help: "1 for the outcome of the last drift cycle, 0 for the others."}, []string{"playbook", "outcome"}),
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "watch", Name: "active",
			Help: "On a shared journal, 1 while this watcher is the active one of its playbook, 0 while it stands by."}, []string{"playbook"}),
		nextRun: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "drift", Name: "next_run_timestamp_seconds",
			Help: "When the next drift cycle is due (Unix time)."}),
	}
	bi := opts.Build
	if bi.Version == "" {
		bi = build.Read("")
	}
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "build_info",
		Help: "Always 1; its labels name the running rectify: its version, the VCS revision it was built from (\"unknown\" without one) and the Go version."},
		[]string{"version", "revision", "goversion"})
	info.WithLabelValues(bi.Version, bi.ShortRevision(), bi.GoVersion).Set(1)
	m.reg.MustRegister(info, m.pending, m.firstSeen, m.flapping, m.hostUp, m.corrections, m.runs, m.skipped,
		m.lastRun, m.lastDuration, m.lastOutcome, m.nextRun, m.active,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the collectors are registered with.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

var _ drift.Metrics = (*Metrics)(nil)

// ObserveCycle replaces the playbook's drift series with what c found and
// counts its run and corrections.
func (m *Metrics) ObserveCycle(c drift.Figures) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pb := prometheus.Labels{"playbook": c.Playbook}
	m.pending.DeletePartialMatch(pb)
	m.firstSeen.DeletePartialMatch(pb)
	m.flapping.DeletePartialMatch(pb)
	m.hostUp.DeletePartialMatch(pb)
	for _, p := range c.Pending {
		m.pending.WithLabelValues(c.Playbook, p.Step, p.Host, p.Action).Inc()
	}
	for _, d := range c.Drift {
		m.firstSeen.WithLabelValues(c.Playbook, d.Step, d.Host).Set(unix(d.FirstSeen))
		if d.Flapping {
			m.flapping.WithLabelValues(c.Playbook, d.Step, d.Host).Set(1)
		}
	}
	for _, h := range c.Hosts {
		up := 0.0
		if h.Up {
			up = 1
		}
		m.hostUp.WithLabelValues(c.Playbook, h.Name).Set(up)
	}
	for _, k := range c.Corrections {
		m.corrections.WithLabelValues(c.Playbook, k.Step, k.Host, k.Result).Inc()
	}
	m.runs.WithLabelValues(c.Playbook, c.Outcome).Inc()
	m.lastRun.WithLabelValues(c.Playbook).Set(unix(c.Started))
	m.lastDuration.WithLabelValues(c.Playbook).Set(c.Duration.Seconds())
	for _, o := range Outcomes {
		m.lastOutcome.WithLabelValues(c.Playbook, o).Set(0)
	}
	m.lastOutcome.WithLabelValues(c.Playbook, c.Outcome).Set(1)
}

var _ drift.ElectionMetrics = (*Metrics)(nil)

// SetActive says whether this watcher is the active one of playbook.
func (m *Metrics) SetActive(playbook string, active bool) {
	v := 0.0
	if active {
		v = 1
	}
	m.active.WithLabelValues(playbook).Set(v)
}

// CycleSkipped counts a cycle that did not run, and why ("locked",
// "overrun").
func (m *Metrics) CycleSkipped(playbook, reason string) {
	m.skipped.WithLabelValues(playbook, reason).Inc()
}

// ExpectCycle says when the next cycle is due: /healthz stays healthy
// until that time plus the grace.
func (m *Metrics) ExpectCycle(next time.Time) {
	m.health.Lock()
	m.deadline = next
	m.health.Unlock()
	m.nextRun.Set(unix(next))
}

// Healthy reports whether cycles run on schedule, and if not, why.
func (m *Metrics) Healthy() (bool, string) {
	m.health.Lock()
	deadline := m.deadline
	m.health.Unlock()
	now := m.now()
	switch {
	case deadline.IsZero():
		return false, "no cycle is scheduled"
	case now.After(deadline.Add(m.grace)):
		return false, "the cycle due at " + deadline.UTC().Format(time.RFC3339) + " has not finished"
	}
	return true, "cycles run on schedule; next due at " + deadline.UTC().Format(time.RFC3339)
}

func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
