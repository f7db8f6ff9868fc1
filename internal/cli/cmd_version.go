package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionCommand prints the version.
type versionCommand struct{}

func (*versionCommand) Synopsis() string { return "Show the version of rectify" }

func (*versionCommand) Usage() string {
	return `Usage: rectify version

  Prints the version of rectify and of the Go toolchain it was built with.`
}

func (*versionCommand) Flags(*flag.FlagSet) {}

func (*versionCommand) Run(_ context.Context, a *app, args []string) int {
	if len(args) > 0 {
		return usageError(a.env.Stderr, "version", fmt.Errorf("unexpected argument %q", args[0]))
	}
	fmt.Fprintf(a.env.Stdout, "rectify %s (%s %s/%s)\n", version(a.env.Version), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

// version returns v, or the main module's version from the build
// information ("(devel)" for a build from a checkout).
func version(v string) string {
	if v != "" {
		return v
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
