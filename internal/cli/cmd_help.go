package cli

import (
	"context"
	"flag"
	"fmt"
)

// helpCommand prints the usage of rectify or of one command.
type helpCommand struct{}

func (*helpCommand) Synopsis() string { return "Show help for rectify or one of its commands" }

func (*helpCommand) Usage() string {
	return `Usage: rectify help [command]

  Without a command, lists the commands. With one, shows its usage and
  options.`
}

func (*helpCommand) Flags(*flag.FlagSet) {}

func (*helpCommand) Run(_ context.Context, a *app, args []string) int {
	switch len(args) {
	case 0:
		writeMainUsage(a.env.Stdout)
		return exitOK
	case 1:
		entry, ok := lookup(args[0])
		if !ok {
			return usageError(a.env.Stderr, "help", unknownCommandError(args[0]))
		}
		g := defaultGlobals()
		writeCommandUsage(a.env.Stdout, entry.name, entry.make(), &g)
		return exitOK
	default:
		return usageError(a.env.Stderr, "help", fmt.Errorf("expected at most one command, got %d arguments", len(args)))
	}
}
