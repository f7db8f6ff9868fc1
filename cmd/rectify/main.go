// Command rectify turns a knowledge-base article into a reviewed,
// repeatable fix. See "rectify help".
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/internal/cli"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	reg := builtin.Registry()
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		Stdin:         os.Stdin,
		LookupEnv:     os.LookupEnv,
		Getwd:         os.Getwd,
		IsTerminal:    cli.IsTerminal,
		TerminalWidth: cli.TerminalWidth,
		Actions:       reg,
		Version:       version,
	})
	stop()
	os.Exit(code)
}
