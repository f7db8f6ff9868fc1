package journal

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/operation"
)

var t0 = time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)

func obs(step, host, action string) drift.Observation {
	return drift.Observation{Address: "step." + step + "[" + host + "]", Step: step, Host: host, Action: action, Object: step + " on " + host}
}

// episode is the part of a drift.Episode the tests compare.
type episode struct {
	Address             string
	Action              string
	FirstSeen, LastSeen time.Time
	Resolved            time.Time
	Flapping            bool
	Corrections         int
}

func episodes(recs []drift.Episode) []episode {
	var out []episode
	for _, r := range recs {
		out = append(out, episode{r.Address, r.Action, r.FirstSeen, r.LastSeen, r.Resolved, r.Flapping, len(r.Corrections)})
	}
	return out
}

func TestDriftEpisodesOpenExtendAndSettle(t *testing.T) {
	eachBackend(t, testDriftEpisodesOpenExtendAndSettle)
}

func testDriftEpisodesOpenExtendAndSettle(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, path := openFresh(t, fresh)
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindWatch, Playbook: "exchange-454"})
	if err != nil {
		t.Fatal(err)
	}
	log, spn := obs("kerberos_log", "ex01", "update"), obs("smtp", "ex02", "update")
	cycles := []struct {
		name     string
		at       time.Time
		pending  []drift.Observation
		unknown  []string
		wantOpen []string
	}{
		{"both drift", t0, []drift.Observation{log, spn}, nil, []string{log.Address, spn.Address}},
		{"ex02 down: its episode stays", t0.Add(time.Minute), []drift.Observation{log}, []string{spn.Address}, []string{log.Address, spn.Address}},
		{"ex02 back, settled by hand", t0.Add(2 * time.Minute), []drift.Observation{log}, nil, []string{log.Address}},
		{"all settled", t0.Add(3 * time.Minute), nil, nil, nil},
	}
	for _, c := range cycles {
		open, err := j.RecordDrift(ctx, drift.Observations{Playbook: "exchange-454", RunID: run.ID, Time: c.at, Pending: c.pending, Unknown: c.unknown})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, r := range open {
			got = append(got, r.Address)
		}
		if diff := cmp.Diff(c.wantOpen, got); diff != "" {
			t.Errorf("%s: open episodes (-want +got):\n%s", c.name, diff)
		}
	}

	// The history survives reopening the journal (a restarted watcher).
	j.Close()
	j2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	hist, err := j2.DriftHistory(ctx, DriftQuery{Playbook: "exchange-454"})
	if err != nil {
		t.Fatal(err)
	}
	want := []episode{
		{Address: spn.Address, Action: "update", FirstSeen: t0, LastSeen: t0, Resolved: t0.Add(2 * time.Minute)},
		{Address: log.Address, Action: "update", FirstSeen: t0, LastSeen: t0.Add(2 * time.Minute), Resolved: t0.Add(3 * time.Minute)},
	}
	if diff := cmp.Diff(want, episodes(hist), cmpopts.SortSlices(func(a, b episode) bool { return a.Address > b.Address })); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if hist[0].LastRunID != run.ID || hist[0].Step == "" || hist[0].Host == "" || hist[0].Object == "" {
		t.Errorf("episode fields = %+v", hist[0])
	}
	since, err := j2.DriftHistory(ctx, DriftQuery{Since: t0.Add(150 * time.Second)})
	if err != nil || len(since) != 1 || since[0].Address != log.Address {
		t.Errorf("history since the SPN settled = %+v, %v", since, err)
	}
	if other, _ := j2.DriftHistory(ctx, DriftQuery{Playbook: "other"}); len(other) != 0 {
		t.Errorf("another playbook's drift = %+v", other)
	}
}

func TestFlappingAfterRepeatedCorrections(t *testing.T) {
	eachBackend(t, testFlappingAfterRepeatedCorrections)
}

func testFlappingAfterRepeatedCorrections(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindWatch, Playbook: "exchange-454"})
	if err != nil {
		t.Fatal(err)
	}
	conn := obs("connector", "ex02", "update")
	policy := drift.FlapPolicy{Corrections: 2, Within: time.Hour}
	record := func(at time.Time) drift.Episode {
		t.Helper()
		open, err := j.RecordDrift(ctx, drift.Observations{Playbook: "exchange-454", RunID: run.ID, Time: at, Pending: []drift.Observation{conn}, Policy: policy})
		if err != nil || len(open) != 1 {
			t.Fatalf("record drift at %s: %+v, %v", at, open, err)
		}
		return open[0]
	}
	correct := func(at time.Time, status string) {
		t.Helper()
		ok, err := j.RecordCorrection(ctx, "exchange-454", drift.CorrectionResult{Address: conn.Address, RunID: run.ID, Time: at, Status: status, Converged: status == "applied"})
		if err != nil || !ok {
			t.Fatalf("record correction at %s: %v, %v", at, ok, err)
		}
	}
	steps := []struct {
		name         string
		at           time.Time
		correct      string // status of the correction made in this cycle, if any
		wantFlapping bool
	}{
		{"first drift", t0, "applied", false},
		{"back once, the correction fails", t0.Add(10 * time.Minute), "failed", false},
		{"a failed correction does not count", t0.Add(20 * time.Minute), "applied", false},
		{"back after two corrections within the hour", t0.Add(30 * time.Minute), "", true},
		{"stays flapping", t0.Add(40 * time.Minute), "", true},
	}
	for _, s := range steps {
		rec := record(s.at)
		if rec.Flapping != s.wantFlapping {
			t.Errorf("%s: flapping = %v, want %v", s.name, rec.Flapping, s.wantFlapping)
		}
		if s.correct != "" {
			correct(s.at.Add(time.Second), s.correct)
		}
	}
	if err := j.ClearFlapping(ctx, "exchange-454", conn.Address, t0.Add(45*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rec := record(t0.Add(50 * time.Minute)); rec.Flapping {
		t.Errorf("flapping again right after a person cleared it: %+v", rec)
	}
	if err := j.ClearFlapping(ctx, "exchange-454", conn.Address, t0.Add(51*time.Minute)); !errors.Is(err, ErrNotFlapping) {
		t.Errorf("clearing an item that is not flapping: %v", err)
	}
	// Corrections older than the period do not count: two hours later a
	// single new correction leaves the item alone.
	correct(t0.Add(55*time.Minute), "applied")
	if rec := record(t0.Add(3 * time.Hour)); rec.Flapping {
		t.Errorf("flapping from corrections outside the period: %+v", rec)
	}

	hist, err := j.DriftHistory(ctx, DriftQuery{Playbook: "exchange-454"})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for i := len(hist) - 1; i >= 0; i-- {
		for _, c := range hist[i].Corrections {
			statuses = append(statuses, c.Status)
		}
	}
	if diff := cmp.Diff([]string{"applied", "failed", "applied", "applied"}, statuses); diff != "" {
		t.Errorf("corrections over time (-want +got):\n%s", diff)
	}
	open, err := j.DriftHistory(ctx, DriftQuery{Open: true})
	if err != nil || len(open) != 1 || !open[0].FirstSeen.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("open drift = %+v, %v", open, err)
	}
}

func TestCorrectionWithoutEpisodeIsNotRecorded(t *testing.T) {
	eachBackend(t, testCorrectionWithoutEpisodeIsNotRecorded)
}

func testCorrectionWithoutEpisodeIsNotRecorded(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	ok, err := j.RecordCorrection(ctx, "exchange-454", drift.CorrectionResult{Address: "step.replication[dc01]", RunID: 1, Time: t0, Status: "applied"})
	if err != nil || ok {
		t.Errorf("RecordCorrection without an episode = %v, %v", ok, err)
	}
}

func TestSetPlanDigest(t *testing.T) { eachBackend(t, testSetPlanDigest) }

func testSetPlanDigest(t *testing.T, fresh freshState) {
	ctx := context.Background()
	j, _ := openFresh(t, fresh)
	run, err := j.StartRun(ctx, operation.RunInfo{Kind: operation.KindWatch})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.SetPlanDigest(ctx, "sha256:abc"); err != nil {
		t.Fatal(err)
	}
	rec, _, err := j.Run(ctx, run.ID)
	if err != nil || rec.PlanDigest != "sha256:abc" {
		t.Errorf("run = %+v, %v", rec, err)
	}
}
