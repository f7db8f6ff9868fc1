package plans

import (
	"encoding/json"
	"strings"
	"testing"
)

// mustAmount parses an amount or fails the test.
func mustAmount(t testing.TB, s string) Amount {
	t.Helper()
	a, err := ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRolloutBatchSize(t *testing.T) {
	tests := []struct {
		serial string
		total  int
		want   int
	}{
		{"", 7, 7},
		{"1", 10, 1},
		{"3", 2, 2},
		{"25%", 10, 2}, // rounds down, as Ansible's serial does
		{"25%", 3, 1},  // never below one host
		{"1%", 5, 1},
		{"100%", 7, 7},
		{"50%", 5, 2},
	}
	for _, tt := range tests {
		var r Rollout
		if tt.serial != "" {
			r.Serial = mustAmount(t, tt.serial)
		}
		if got := r.BatchSize(tt.total); got != tt.want {
			t.Errorf("serial %q of %d hosts: batch %d, want %d", tt.serial, tt.total, got, tt.want)
		}
	}
}

// TestRolloutJSON: the plan keeps the rollout readable, and a serial that
// cannot be read is refused when the plan is read, never taken as "every
// host at once".
func TestRolloutJSON(t *testing.T) {
	for _, tt := range []struct {
		r    Rollout
		json string
	}{
		{Rollout{Serial: mustAmount(t, "1")}, `{"serial":"1","max_fail":0}`},
		{Rollout{Serial: mustAmount(t, "25%"), MaxFail: 2}, `{"serial":"25%","max_fail":2}`},
		{Rollout{MaxFail: 4}, `{"max_fail":4}`},
	} {
		b, err := json.Marshal(tt.r)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.json {
			t.Errorf("JSON = %s, want %s", b, tt.json)
		}
		var back Rollout
		if err := json.Unmarshal(b, &back); err != nil || back != tt.r {
			t.Errorf("%s read back as %+v, %v", b, back, err)
		}
	}
	for _, bad := range []string{
		`{"serial":"abc","max_fail":0}`,
		`{"serial":"0","max_fail":0}`,
		`{"serial":"-1","max_fail":0}`,
		`{"serial":"150%","max_fail":0}`,
		`{"serial":"0%","max_fail":0}`,
		`{"serial":"12.5%","max_fail":0}`,
		`{"serial":" 2","max_fail":0}`,
		`{"serial":"","max_fail":0}`,
		`{"serial":2,"max_fail":0}`,
		`{"serial":"1","max_fail":-1}`,
	} {
		var r Rollout
		err := json.Unmarshal([]byte(bad), &r)
		if err == nil {
			t.Errorf("%s was read as %+v, want an error", bad, r)
			continue
		}
		if !strings.Contains(err.Error(), "rollout") {
			t.Errorf("%s: error %q does not say it is the rollout", bad, err)
		}
	}
}
