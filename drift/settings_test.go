package drift_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/playbooks"
)

func loadDrift(t *testing.T, block string) *playbooks.Drift {
	t.Helper()
	dir := t.TempDir() + "/pb.hcl"
	src := "playbook \"p\" {\n" + block + "\n}\n"
	if err := writeFile(dir, src); err != nil {
		t.Fatal(err)
	}
	p, diags := playbooks.LoadDir(dir, nil)
	if diags.HasErrors() {
		t.Fatalf("load: %s", diags.Error())
	}
	return p.Drift
}

func TestResolveSettingsCommandLineWins(t *testing.T) {
	berlin := "drift {\n schedule = \"0 3 * * *\"\n mode = \"correct\"\n timezone = \"Europe/Berlin\"\n}"
	from := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		flags    drift.Flags
		block    string
		wantNext time.Time
		wantMode drift.Mode
		wantErr  string
	}{
		{name: "playbook only", block: berlin, wantNext: time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC), wantMode: drift.Correct},
		{name: "-every wins", flags: drift.Flags{Every: 2 * time.Second}, block: berlin, wantNext: from.Add(2 * time.Second), wantMode: drift.Correct},
		{name: "-schedule wins, in the playbook's zone", flags: drift.Flags{Schedule: "0 4 * * *", Mode: "monitor"}, block: berlin,
			wantNext: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), wantMode: drift.Monitor},
		{name: "descriptor, no drift block", flags: drift.Flags{Schedule: "@every 15m"}, wantNext: from.Add(15 * time.Minute), wantMode: drift.Monitor},
		{name: "both schedule flags", flags: drift.Flags{Schedule: "@hourly", Every: time.Minute}, wantErr: "not both"},
		{name: "no schedule anywhere", wantErr: "no schedule"},
		{name: "bad cron", flags: drift.Flags{Schedule: "61 * * * *"}, wantErr: "schedule"},
		{name: "bad mode", flags: drift.Flags{Every: time.Minute, Mode: "fix"}, wantErr: "mode"},
		{name: "time zone inside the line", flags: drift.Flags{Schedule: "CRON_TZ=UTC 0 3 * * *"}, wantErr: "time zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pb *playbooks.Drift
			if tt.block != "" {
				pb = loadDrift(t, tt.block)
			}
			s, err := drift.ResolveSettings(tt.flags, pb)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := struct {
				Next time.Time
				Mode drift.Mode
			}{s.Schedule.Next(from).UTC(), s.Mode}
			want := struct {
				Next time.Time
				Mode drift.Mode
			}{tt.wantNext, tt.wantMode}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if s.Spec == "" {
				t.Error("no description of the schedule")
			}
		})
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	if _, err := drift.New(drift.Config{Mode: drift.Monitor}); err == nil {
		t.Error("a watcher without Prepare, engine or journal was made")
	}
}
