package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one rectify subcommand. A fresh value is made for every run,
// so a command keeps its flag values in its own fields.
type command interface {
	// Synopsis is the one-line description "rectify help" lists.
	Synopsis() string
	// Usage is the usage line and description "rectify help <name>"
	// prints above the flags.
	Usage() string
	// Flags declares the command's flags.
	Flags(fs *flag.FlagSet)
	// Run runs the command with its positional arguments and returns the
	// exit code.
	Run(ctx context.Context, a *app, args []string) int
}

// commandEntry is one row of the command table.
type commandEntry struct {
	name string
	make func() command
}

// lookup returns the table entry for name.
func lookup(name string) (commandEntry, bool) {
	for _, c := range commandTable() {
		if c.name == name {
			return c, true
		}
	}
	return commandEntry{}, false
}

// parseInterspersed parses fs from args allowing flags after positional
// arguments (rectify validate ./pb -inventory inv.hcl), as users expect;
// everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printFlags writes the flags of fs in Terraform's style: "-name VALUE"
// and the description below it.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + strings.ToUpper(name)
		}
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "      %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// commandFlagSet returns the flag set of a command, with the global flags
// registered too so that they may follow the command name.
func commandFlagSet(name string, c command, g *globalOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("rectify "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Flags(fs)
	g.register(fs)
	return fs
}
