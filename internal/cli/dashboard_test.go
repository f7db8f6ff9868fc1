package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/metrics/metricstest"
	"github.com/rectifyhq/rectify/operation"
)

// dashboardFile is the Grafana dashboard of the watch metrics.
const dashboardFile = "../../examples/grafana/rectify-watch.json"

// promQLSelector is one metric selector of a query: the metric's name
// and the label names its matchers use.
type promQLSelector struct {
	metric string
	labels []string
}

var (
	promQLString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promQLRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promQLGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promQLToken    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*(\s*\{[^}]*\})?(\s*\()?`)
	promQLMatcher  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)`)
	// promQLWords are PromQL's keywords and the names that are not
	// metrics where a name may stand.
	promQLWords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "inf": true, "nan": true}
)

// promQLSelectors returns the metric selectors of expr: the names that are
// neither functions (a name followed by "("), keywords, label names in
// grouping clauses, nor strings, with the labels their matchers use.
func promQLSelectors(expr string) []promQLSelector {
	// Strings would hide braces and names; keep their place.
	s := promQLString.ReplaceAllString(expr, `""`)
	s = promQLRange.ReplaceAllString(s, "")
	s = promQLGrouping.ReplaceAllString(s, "")
	var out []promQLSelector
	for _, m := range promQLToken.FindAllStringSubmatch(s, -1) {
		tok := m[0]
		if strings.HasSuffix(strings.TrimSpace(tok), "(") && m[1] == "" {
			continue // a function
		}
		name := strings.TrimSpace(strings.SplitN(strings.SplitN(tok, "{", 2)[0], "(", 2)[0])
		if promQLWords[strings.ToLower(name)] {
			continue
		}
		sel := promQLSelector{metric: name}
		for _, lm := range promQLMatcher.FindAllStringSubmatch(m[1], -1) {
			sel.labels = append(sel.labels, lm[1])
		}
		out = append(out, sel)
	}
	return out
}

func TestPromQLSelectors(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want []promQLSelector
	}{
		{`sum by (action) (rectify_drift_pending_changes{playbook=~"$playbook"})`, []promQLSelector{{"rectify_drift_pending_changes", []string{"playbook"}}}},
		{`count(up{job="a,b(c)"} == 0) or vector(0)`, []promQLSelector{{"up", []string{"job"}}}},
		{`time() - rectify_drift_last_run_timestamp_seconds`, []promQLSelector{{"rectify_drift_last_run_timestamp_seconds", nil}}},
		{`sum without (host) (increase(a_total{x!="1", y="2"}[1h])) / on (p) b`, []promQLSelector{{"a_total", []string{"x", "y"}}, {"b", nil}}},
		{`label_values(rectify_drift_runs_total, playbook)`, []promQLSelector{{"rectify_drift_runs_total", nil}, {"playbook", nil}}},
	} {
		got := promQLSelectors(tt.expr)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(promQLSelector{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.expr, diff)
		}
	}
}

// dashboardQueries returns every PromQL query of the dashboard: its panels'
// targets and its query variables (label_values(METRIC, LABEL) reads
// METRIC's LABEL).
func dashboardQueries(t *testing.T) (queries []string, variables [][2]string) {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			queries = append(queries, tg.Expr)
		}
	}
	labelValues := regexp.MustCompile(`^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$`)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)
		text, _ := q["query"].(string)
		m := labelValues.FindStringSubmatch(text)
		if m == nil {
			t.Errorf("variable query %q is not label_values(METRIC, LABEL)", text)
			continue
		}
		variables = append(variables, [2]string{m[1], m[2]})
	}
	return queries, variables
}

// TestDashboardQueriesAreServed runs rectify watch against the lab until it
// has served every kind of series (a correction, drift that stays, an item
// that flaps, a cycle skipped because another run holds a host), scrapes
// its /metrics, and checks that every metric the dashboard queries is
// served, with the labels its queries match on.
func TestDashboardQueriesAreServed(t *testing.T) {
	queries, variables := dashboardQueries(t)
	f := startLab(t, lab.KB979174())
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
		exited <- Run(ctx, []string{"watch", "-inventory", "inventory.hcl", "-state", "journal.db", "-every", "1s", "-mode", "correct",
			"-flapping-count", "1", "-metrics-addr", "127.0.0.1:0", "exchange-454"}, env)
	}()
	addrRE := regexp.MustCompile(`Serving metrics at http://([0-9.:]+)/metrics`)
	var url string
	scrape := func() metricstest.Samples {
		s, err := metricstest.Scrape(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	waitFor := func(what string, done func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !done() {
			select {
			case code := <-exited:
				t.Fatalf("watch exited %d while waiting for %s:\n%s\n%s", code, what, stdout.String(), stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s within a minute:\n%s\n%s", what, stdout.String(), stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("metrics address", func() bool {
		m := addrRE.FindStringSubmatch(stdout.String())
		if m != nil {
			url = "http://" + m[1] + "/metrics"
		}
		return m != nil
	})
	corrected := metricstest.Series("rectify_drift_corrections_total", "playbook", "exchange-454", "step", "kerberos_log", "host", "ex01", "result", "applied")
	waitFor("correction of kerberos_log on ex01", func() bool { return scrape()[corrected] >= 1 })

	// The correction is undone behind the watcher's back: with
	// -flapping-count 1 the item is marked flapping at its return.
	ex01, _ := f.lab.Host("ex01")
	if err := ex01.SetRegistryValue(lab.KerberosParametersKey, "LogLevel", lab.RegistryValue{Kind: "DWord", Data: 0}); err != nil {
		t.Fatal(err)
	}
	waitFor("a flapping item", func() bool { return len(scrape().Family("rectify_drift_flapping")) > 0 })

	// Another run holds ex01: the next cycle is skipped.
	j, err := journal.Open(ctx, filepath.Join(f.dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	holder := operation.Holder{RunID: 1 << 40, User: "someone", Machine: "elsewhere", PID: 1}
	// The watcher holds ex01 while a cycle runs: take it between two.
	waitFor("the lock on ex01 between two cycles", func() bool {
		return j.Acquire(ctx, holder, []string{"ex01.corp.example.com"}, time.Now().Add(time.Minute)) == nil
	})
	waitFor("a skipped cycle", func() bool { return len(scrape().Family("rectify_drift_cycles_skipped_total")) > 0 })
	if err := j.Release(ctx, holder, []string{"ex01.corp.example.com"}); err != nil {
		t.Fatal(err)
	}
	samples := scrape()
	cancel()
	<-exited

	labelsOf := func(metric string) (map[string]bool, bool) {
		fam := samples.Family(metric)
		if len(fam) == 0 {
			return nil, false
		}
		labels := map[string]bool{}
		for key := range fam {
			for _, m := range regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)="`).FindAllStringSubmatch(key, -1) {
				labels[m[1]] = true
			}
		}
		return labels, true
	}
	checked := map[string]bool{}
	for _, q := range queries {
		sels := promQLSelectors(q)
		if len(sels) == 0 {
			t.Errorf("query %q names no metric", q)
		}
		for _, sel := range sels {
			labels, ok := labelsOf(sel.metric)
			if !ok {
				t.Errorf("query %q reads %s, which the watcher does not serve", q, sel.metric)
				continue
			}
			checked[sel.metric] = true
			for _, l := range sel.labels {
				if !labels[l] {
					t.Errorf("query %q matches on label %q, which %s does not have", q, l, sel.metric)
				}
			}
		}
	}
	for _, v := range variables {
		if labels, ok := labelsOf(v[0]); !ok || !labels[v[1]] {
			t.Errorf("variable label_values(%s, %s): no such metric and label served", v[0], v[1])
		}
	}
	var names []string
	for n := range checked {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("the dashboard's metrics, all served: %s", strings.Join(names, ", "))
}
