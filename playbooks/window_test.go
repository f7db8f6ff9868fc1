package playbooks

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks/testactions"
)

func loadString(t *testing.T, src string) *Playbook {
	t.Helper()
	path := filepath.Join(t.TempDir(), "playbook.hcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	p, diags := LoadDir(path, testactions.Registry())
	if diags.HasErrors() {
		t.Fatalf("LoadDir: %s", diags.Error())
	}
	return p
}

func TestWindowContains(t *testing.T) {
	p := loadString(t, `
playbook "w" {
  window {
    start    = "0 22 * * SAT"
    duration = "4h"
    timezone = "Europe/Berlin"
  }
}`)
	w := p.Windows[0]
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-11-28 is a Saturday; Berlin is UTC+1 in winter.
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 11, 28, 21, 59, 59, 0, berlin), false},
		{time.Date(2026, 11, 28, 22, 0, 0, 0, berlin), true},
		{time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC), true}, // 22:30 in Berlin
		{time.Date(2026, 11, 29, 1, 59, 59, 0, berlin), true},
		{time.Date(2026, 11, 29, 2, 0, 0, 0, berlin), false},
		{time.Date(2026, 11, 27, 22, 30, 0, 0, berlin), false}, // a Friday
	}
	for _, tt := range tests {
		if got := w.Rule.Open(tt.at); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	next := w.Rule.Next(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 28, 22, 0, 0, 0, berlin); !next.Equal(want) {
		t.Errorf("Next = %v, want %v", next, want)
	}
}

func TestAmounts(t *testing.T) {
	tests := []struct {
		serial, maxFail string
		total           int
		batch, fail     int
	}{
		{serial: `1`, maxFail: `0`, total: 10, batch: 1, fail: 0},
		{serial: `"25%"`, maxFail: `"10%"`, total: 10, batch: 2, fail: 1},
		{serial: `"25%"`, maxFail: `"50%"`, total: 3, batch: 1, fail: 1},
		{serial: `"100%"`, maxFail: `2`, total: 7, batch: 7, fail: 2},
		{serial: `20`, maxFail: `"0%"`, total: 5, batch: 5, fail: 0},
		{serial: `"3"`, maxFail: `1`, total: 5, batch: 3, fail: 1},
	}
	for _, tt := range tests {
		p := loadString(t, `playbook "r" {
  rollout {
    serial   = `+tt.serial+`
    max_fail = `+tt.maxFail+`
  }
}`)
		serial, err := p.Rollout.Serial.Plan()
		if err != nil {
			t.Fatalf("serial %s: %v", tt.serial, err)
		}
		if got := (plans.Rollout{Serial: serial}).BatchSize(tt.total); got != tt.batch {
			t.Errorf("serial %s of %d = %d, want %d", tt.serial, tt.total, got, tt.batch)
		}
		if got := p.Rollout.MaxFail.Of(tt.total); got != tt.fail {
			t.Errorf("max_fail %s of %d = %d, want %d", tt.maxFail, tt.total, got, tt.fail)
		}
	}
	if got := (plans.Rollout{}).BatchSize(4); got != 4 {
		t.Errorf("no serial: batch %d", got)
	}
}

func TestDriftScheduleTimezone(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		block string
		want  time.Time
	}{
		{`schedule = "0 3 * * *"`, time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)},
		{"schedule = \"0 3 * * *\"\ntimezone = \"Asia/Tokyo\"", time.Date(2026, 1, 1, 18, 0, 0, 0, time.UTC)},
		{`schedule = "@every 15m"`, time.Date(2026, 1, 1, 0, 15, 0, 0, time.UTC)},
		{`schedule = "@daily"`, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		p := loadString(t, "playbook \"d\" {\n  drift {\n"+tt.block+"\n  }\n}\n")
		if got := p.Drift.Next(start); !got.Equal(tt.want) {
			t.Errorf("%s: Next = %v, want %v", tt.block, got, tt.want)
		}
		if p.Drift.Mode != DriftMonitor {
			t.Errorf("%s: mode %q, want monitor by default", tt.block, p.Drift.Mode)
		}
	}
}
