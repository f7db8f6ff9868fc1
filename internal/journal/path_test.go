package journal

import (
	"path/filepath"
	"testing"
)

// TestDefaultPathPerPlatform checks where each platform keeps the journal
// when no -state is given: the user's local application data on Windows
// (never the roaming profile, which Windows copies between machines), the
// XDG state directory elsewhere. The environment is the one the caller
// gives (never the process's own): a test or a service with an environment
// of its own must not open the user's journal.
func TestDefaultPathPerPlatform(t *testing.T) {
	tests := []struct {
		name    string
		goos    string
		env     map[string]string
		home    string
		want    string
		wantErr bool
	}{
		{name: "windows", goos: "windows", env: map[string]string{"LOCALAPPDATA": `C:\Users\ada\AppData\Local`, "APPDATA": `C:\Users\ada\AppData\Roaming`, "XDG_STATE_HOME": "/x"},
			want: filepath.Join(`C:\Users\ada\AppData\Local`, "rectify", "journal.db")},
		{name: "windows without LOCALAPPDATA", goos: "windows", home: `C:\Users\ada`, wantErr: true},
		{name: "linux XDG", goos: "linux", env: map[string]string{"XDG_STATE_HOME": "/srv/state", "LOCALAPPDATA": "/nope"}, home: "/home/ada",
			want: filepath.Join("/srv/state", "rectify", "journal.db")},
		{name: "linux default", goos: "linux", home: "/home/ada",
			want: filepath.Join("/home/ada", ".local", "state", "rectify", "journal.db")},
		{name: "relative XDG is ignored", goos: "linux", env: map[string]string{"XDG_STATE_HOME": "state"}, home: "/home/ada",
			want: filepath.Join("/home/ada", ".local", "state", "rectify", "journal.db")},
		{name: "darwin", goos: "darwin", home: "/Users/ada",
			want: filepath.Join("/Users/ada", ".local", "state", "rectify", "journal.db")},
		{name: "no home", goos: "linux", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) {
				if k == "HOME" && tt.home != "" {
					return tt.home, true
				}
				v, ok := tt.env[k]
				return v, ok
			}
			got, err := defaultPath(tt.goos, lookup)
			if (err != nil) != tt.wantErr {
				t.Fatalf("defaultPath(%s) error = %v, want error %v", tt.goos, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("defaultPath(%s) = %q, want %q", tt.goos, got, tt.want)
			}
		})
	}
}
