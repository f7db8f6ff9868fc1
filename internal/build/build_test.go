package build

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "github.com/rectifyhq/rectify", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "windows"}, {Key: "GOARCH", Value: "amd64"},
			{Key: "vcs.revision", Value: "5dcbc4f0123456789abcdef0123456789abcdef0"},
			{Key: "vcs.time", Value: "2026-12-03T15:59:25Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	for _, tt := range []struct {
		name    string
		bi      *debug.BuildInfo
		version string
		want    Info
		short   string
	}{
		{name: "checkout", bi: bi, want: Info{Version: "(devel)", Revision: "5dcbc4f0123456789abcdef0123456789abcdef0",
			Time: time.Date(2026, 12, 3, 15, 59, 25, 0, time.UTC), Modified: true, GoVersion: "go1.26.0", OS: "windows", Arch: "amd64"},
			short: "5dcbc4f01234+modified"},
		{name: "release", bi: bi, version: "v1.2.3", want: Info{Version: "v1.2.3", Revision: "5dcbc4f0123456789abcdef0123456789abcdef0",
			Time: time.Date(2026, 12, 3, 15, 59, 25, 0, time.UTC), Modified: true, GoVersion: "go1.26.0", OS: "windows", Arch: "amd64"},
			short: "5dcbc4f01234+modified"},
		{name: "no vcs", bi: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.9.0"}, Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}}},
			want: Info{Version: "v0.9.0", GoVersion: "go1.26.0", OS: "linux", Arch: "arm64"}, short: "unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := FromBuildInfo(tt.bi, tt.version)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if s := got.ShortRevision(); s != tt.short {
				t.Errorf("ShortRevision = %q, want %q", s, tt.short)
			}
		})
	}
	if got := FromBuildInfo(nil, ""); got.Version != "(devel)" || got.GoVersion == "" {
		t.Errorf("without build information: %+v", got)
	}
}
