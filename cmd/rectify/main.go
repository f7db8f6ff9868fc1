// Command rectify turns a knowledge-base article into a reviewed,
// repeatable fix. See "rectify help".
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/internal/cli"
	"github.com/rectifyhq/rectify/internal/service"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version string

func main() {
	env := cli.Env{
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		Stdin:         os.Stdin,
		LookupEnv:     os.LookupEnv,
		Getwd:         os.Getwd,
		IsTerminal:    cli.IsTerminal,
		TerminalWidth: cli.TerminalWidth,
		Actions:       builtin.Registry(),
		Version:       version,
	}
	if isService, err := service.IsService(); err == nil && isService {
		os.Exit(runService(env))
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	code := cli.Run(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}

// runService runs the command line the Windows service was created with
// ("rectify.exe watch -inventory ...") under the service manager, which
// stops it as Ctrl-C would. A service has no console: what rectify prints
// goes to the log file serviceLog names.
func runService(env cli.Env) int {
	path := serviceLog()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err == nil {
		defer f.Close()
		env.Stdout, env.Stderr = f, f
	} else {
		env.Stdout, env.Stderr = nil, nil
	}
	code, err := service.Run("rectify", func(ctx context.Context) int { return cli.Run(ctx, os.Args[1:], env) })
	if err != nil && f != nil {
		fmt.Fprintf(f, "rectify: as a Windows service: %v\n", err)
	}
	return code
}
