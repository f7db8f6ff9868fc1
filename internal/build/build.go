// Package build tells which build of rectify is running: its version,
// the VCS revision and commit time it was built from, and the Go
// toolchain, read from the build information Go embeds in the binary.
package build

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Info identifies a build.
type Info struct {
	// Version is the release ("v1.2.3"), or "(devel)" for a build from a
	// checkout.
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from; "" when the
	// build recorded none (go run, a build outside a checkout, -buildvcs=false).
	Revision string `json:"revision,omitempty"`
	// Time is when that commit was made; zero when unknown.
	Time time.Time `json:"time,omitempty"`
	// Modified is set when the working tree had changes the commit lacks.
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Read returns the running binary's build information. version, when not
// empty, is the release set at link time and wins over the module's.
func Read(version string) Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return FromBuildInfo(bi, version)
}

// FromBuildInfo returns the Info of bi (nil when the binary carries none).
func FromBuildInfo(bi *debug.BuildInfo, version string) Info {
	in := Info{Version: version, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi != nil {
		if in.Version == "" {
			in.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Revision = s.Value
			case "vcs.time":
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					in.Time = t.UTC()
				}
			case "vcs.modified":
				in.Modified = s.Value == "true"
			case "GOOS":
				in.OS = s.Value
			case "GOARCH":
				in.Arch = s.Value
			}
		}
	}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	return in
}

// ShortRevision is the revision's first 12 characters, with "+modified"
// for a build from a changed working tree; "unknown" when the build
// recorded no revision.
func (in Info) ShortRevision() string {
	r := in.Revision
	if r == "" {
		return "unknown"
	}
	if len(r) > 12 {
		r = r[:12]
	}
	if in.Modified {
		r += "+modified"
	}
	return r
}
