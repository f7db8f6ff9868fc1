package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// helpCommand prints the usage of rectify or of one command.
type helpCommand struct {
	man bool
}

func (*helpCommand) Synopsis() string { return "Show help for rectify or one of its commands" }

func (*helpCommand) Usage() string {
	return `Usage: rectify help [command]
       rectify help -man > rectify.1

  Without a command, lists the commands. With one, shows its usage and
  options. With -man, writes the manual page rectify(1) of every command
  (man -l rectify.1 shows it).`
}

func (c *helpCommand) Flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.man, "man", false, "write the manual page of every command, in roff")
}

func (*helpCommand) argWords() []string { return commandNames() }

func (c *helpCommand) Run(_ context.Context, a *app, args []string) int {
	if c.man {
		if len(args) > 0 {
			return usageError(a.env.Stderr, "help", errors.New("-man writes the page of every command; it takes no command"))
		}
		if err := writeManPage(a.env.Stdout, version(a.env.Version)); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify help: %v\n", err)
			return exitError
		}
		return exitOK
	}
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
