package views

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/operation"
)

func sampleRuns() []journal.RunRecord {
	at := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	return []journal.RunRecord{
		{ID: 2, Kind: operation.KindWatch, Started: at, User: "svc", Machine: "adm01", Playbook: "exchange-454", Outcome: operation.Refused},
		{ID: 1, Kind: operation.KindApply, Started: at.Add(-time.Hour), User: "alice", Machine: "adm01", Playbook: "exchange-454",
			Outcome: operation.Running, Unfinished: true, WindowOverride: "emergency"},
	}
}

func TestHistoryRuns(t *testing.T) {
	var text bytes.Buffer
	if err := (History{W: &text}).Runs(sampleRuns(), "journal.db"); err != nil {
		t.Fatal(err)
	}
	at := func(r journal.RunRecord) string { return r.Started.Local().Format("2006-01-02 15:04:05") }
	runs := sampleRuns()
	want := "RUN  STARTED              KIND   OUTCOME     PLAYBOOK      BY           SUMMARY\n" +
		"2    " + at(runs[0]) + "  watch  refused     exchange-454  svc@adm01\n" +
		"1    " + at(runs[1]) + "  apply  unfinished  exchange-454  alice@adm01  window override: \"emergency\"\n"
	if diff := cmp.Diff(want, text.String()); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	var none bytes.Buffer
	if err := (History{W: &none}).Runs(nil, "journal.db"); err != nil || none.String() != "No runs in the journal journal.db yet.\n" {
		t.Errorf("empty history: %q, %v", none.String(), err)
	}

	var js bytes.Buffer
	if err := (History{W: &js, JSON: true}).Runs(sampleRuns(), "journal.db"); err != nil {
		t.Fatal(err)
	}
	var back []journal.RunRecord
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back) != 2 || back[1].Outcome != operation.Running || !back[1].Unfinished {
		t.Errorf("history -json read back as %+v (%v):\n%s", back, err, js.String())
	}
	var empty bytes.Buffer
	if err := (History{W: &empty, JSON: true}).Runs(nil, "journal.db"); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Errorf("empty history -json: %q, %v", empty.String(), err)
	}
}
