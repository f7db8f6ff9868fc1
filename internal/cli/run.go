package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/operation"
)

// Exit codes. The codes of an operation are its operation.Status numbers
// (see exitFor); exitUsage is Go's flag package's (and grep's, diff's) code
// for a command line that cannot be run. The table is exitCodes, which
// "rectify help" prints and the README repeats.
const (
	exitOK         = int(operation.StatusOK)
	exitError      = int(operation.StatusError)
	exitUsage      = 2
	exitFailed     = int(operation.StatusFailed)
	exitUnverified = int(operation.StatusUnverified)
	exitRefused    = int(operation.StatusRefused)
)

// exitFor is the exit code of an operation that ended with status s: the
// status's own number, so that a script tells apart an error before any
// change, failed changes, changes not verified and a refusal. A status
// this version does not know exits 1.
func exitFor(s operation.Status) int {
	switch s {
	case operation.StatusOK, operation.StatusError, operation.StatusFailed, operation.StatusUnverified, operation.StatusRefused:
		return int(s)
	}
	return exitError
}

// app is what a running command uses: the environment and the logger.
type app struct {
	env Env
	log zerolog.Logger
}

// Run runs rectify with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	env = env.withDefaults()
	g := defaultGlobals()
	fs := flag.NewFlagSet("rectify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeMainUsage(env.Stdout)
			return exitOK
		}
		if u := findUnknownFlag(fs, args, false); u != nil {
			err = u
		}
		return usageExit(usageError(env.Stderr, "", err), args)
	}
	rest := fs.Args()
	if *showVersion {
		rest = []string{"version"}
	}
	if len(rest) == 0 {
		writeMainUsage(env.Stderr)
		return exitUsage
	}
	name := rest[0]
	entry, ok := lookup(name)
	if !ok {
		return usageError(env.Stderr, "", unknownCommandError(name))
	}
	cmd := entry.make()
	cfs := commandFlagSet(name, cmd, &g)
	positional, err := parseInterspersed(cfs, rest[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeCommandUsage(env.Stdout, name, cmd, &g)
			return exitOK
		}
		if u := findUnknownFlag(cfs, rest[1:], true); u != nil {
			err = u
		}
		return usageExit(usageError(env.Stderr, name, err), rest[1:])
	}
	log, err := g.logger(env.Stderr, env.IsTerminal(env.Stderr), colorFor(env, env.Stderr))
	if err != nil {
		return usageExit(usageError(env.Stderr, name, err), rest[1:])
	}
	return cmd.Run(ctx, &app{env: env, log: log}, positional)
}

// usageExit is code, except that a usage error exits 1 when the command
// line asks for -detailed-exitcode: there 2 means only "the plan has
// changes" (as Terraform's), so that a script never applies on a typo.
// It is for errors found before the flags are parsed; plan maps its own.
func usageExit(code int, args []string) int {
	if code != exitUsage {
		return code
	}
	for _, arg := range args {
		if arg == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if strings.HasPrefix(arg, "-") && name == "detailed-exitcode" {
			return exitError
		}
	}
	return code
}

// usageError reports a mistake in the command line and how to get help.
func usageError(w io.Writer, command string, err error) int {
	prefix, help := "rectify", "rectify help"
	if command != "" {
		prefix += " " + command
		help += " " + command
	}
	fmt.Fprintf(w, "%s: %v\nRun '%s' for usage.\n", prefix, err, help)
	return exitUsage
}

// writeMainUsage lists the commands and the global flags.
func writeMainUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: rectify [global options] <command> [options] [args]

rectify turns a knowledge-base article into a reviewed, repeatable fix:
it reads the live state of every host, plans the changes, applies them and
verifies that the hosts converged.

Commands:
`)
	for _, c := range commandTable() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.make().Synopsis())
	}
	fmt.Fprint(w, "\nGlobal options (before or after the command name):\n")
	g := defaultGlobals()
	fs := flag.NewFlagSet("rectify", flag.ContinueOnError)
	g.register(fs)
	printFlags(w, fs)
	writeExitCodes(w)
	fmt.Fprint(w, "\nRun 'rectify help <command>' for a command's options.\n")
}

// writeCommandUsage prints a command's usage, description and flags.
func writeCommandUsage(w io.Writer, name string, c command, g *globalOptions) {
	fmt.Fprintln(w, c.Usage())
	fs := flag.NewFlagSet("rectify "+name, flag.ContinueOnError)
	c.Flags(fs)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nOptions:\n")
		printFlags(w, fs)
	}
	fmt.Fprint(w, "\nGlobal options:\n")
	gfs := flag.NewFlagSet("rectify", flag.ContinueOnError)
	d := defaultGlobals()
	d.register(gfs)
	printFlags(w, gfs)
}
