package journal

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestDefaultPathReadsTheGivenEnvironment checks that the journal's default
// place comes from the environment the caller gives, never from the
// process's own: a test or a service with an environment of its own must
// not open the user's journal.
func TestDefaultPathReadsTheGivenEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Windows default is %LOCALAPPDATA%")
	}
	t.Setenv("XDG_STATE_HOME", "/process/state")
	t.Setenv("HOME", "/process/home")
	tests := []struct {
		name string
		env  map[string]string
		want string // "" for an error
	}{
		{"XDG_STATE_HOME", map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, filepath.Join("/x", "rectify", "journal.db")},
		{"HOME", map[string]string{"HOME": "/h"}, filepath.Join("/h", ".local", "state", "rectify", "journal.db")},
		{"neither", map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultPath(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.want == "" {
				if err == nil {
					t.Fatalf("DefaultPath = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("DefaultPath = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
