package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rectifyhq/rectify/internal/build"
)

// versionCommand prints the version.
type versionCommand struct{}

func (*versionCommand) Synopsis() string { return "Show the version of rectify" }

func (*versionCommand) Usage() string {
	return `Usage: rectify version

  Prints the version of rectify, the VCS revision and commit time it was
  built from (with "+modified" when the working tree had uncommitted
  changes), and the Go toolchain, from the build information Go embeds in
  the binary. A binary built outside a checkout, or with -buildvcs=false,
  has no revision.`
}

func (*versionCommand) Flags(*flag.FlagSet) {}

func (*versionCommand) takesNoArgs() {}

func (*versionCommand) Run(_ context.Context, a *app, args []string) int {
	if len(args) > 0 {
		return usageError(a.env.Stderr, "version", fmt.Errorf("unexpected argument %q", args[0]))
	}
	writeVersion(a.env.Stdout, build.Read(a.env.Version))
	return exitOK
}

// writeVersion prints in as "rectify version" does.
func writeVersion(w io.Writer, in build.Info) {
	fmt.Fprintf(w, "rectify %s (%s %s/%s)\n", in.Version, in.GoVersion, in.OS, in.Arch)
	if in.Revision == "" {
		fmt.Fprintln(w, "revision unknown: built without VCS information")
		return
	}
	fmt.Fprintf(w, "revision %s\n", in.ShortRevision())
	if !in.Time.IsZero() {
		fmt.Fprintf(w, "committed %s\n", in.Time.UTC().Format(time.RFC3339))
	}
}

// version returns v, or the main module's version from the build
// information ("(devel)" for a build from a checkout).
func version(v string) string { return build.Read(v).Version }
