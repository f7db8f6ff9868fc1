package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/build"
)

func TestVersionText(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   build.Info
		want string
	}{
		{"checkout", build.Info{Version: "(devel)", Revision: "5dcbc4f0123456789abcdef0123456789abcdef0", Modified: true,
			Time: time.Date(2026, 12, 3, 15, 59, 25, 0, time.UTC), GoVersion: "go1.26.0", OS: "windows", Arch: "amd64"},
			"rectify (devel) (go1.26.0 windows/amd64)\nrevision 5dcbc4f01234+modified\ncommitted 2026-12-03T15:59:25Z\n"},
		{"no vcs", build.Info{Version: "v1.0.0", GoVersion: "go1.26.0", OS: "linux", Arch: "arm64"},
			"rectify v1.0.0 (go1.26.0 linux/arm64)\nrevision unknown: built without VCS information\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeVersion(&b, tt.in)
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
