package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/rs/zerolog"
)

// globalOptions are the flags every command accepts, before or after its
// name.
type globalOptions struct {
	logLevel  string
	logFormat string
}

// register declares the global flags on fs, with the values already parsed
// as defaults, so that a second flag set (the command's) keeps them.
func (g *globalOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&g.logLevel, "log-level", g.logLevel, "log `level`: trace, debug, info, warn, error or disabled")
	fs.StringVar(&g.logFormat, "log-format", g.logFormat, "log `format`: json, or console (on a terminal; the default there)")
}

func defaultGlobals() globalOptions {
	return globalOptions{logLevel: "warn", logFormat: ""}
}

// logger builds the one logger of a run: zerolog to w at the chosen level,
// JSON unless console is asked for or w is a terminal, coloured only when
// color allows it. Credentials reach it only as secret.Value values,
// which log as "(sensitive)". Events are written one at a time.
func (g *globalOptions) logger(w io.Writer, terminal, color bool) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(g.logLevel)
	if err != nil || g.logLevel == "" {
		return zerolog.Nop(), fmt.Errorf("invalid -log-level %q: use trace, debug, info, warn, error or disabled", g.logLevel)
	}
	switch g.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, NoColor: !color}
	case "":
		if terminal {
			w = zerolog.ConsoleWriter{Out: w, NoColor: !color}
		}
	default:
		return zerolog.Nop(), fmt.Errorf("invalid -log-format %q: use json or console", g.logFormat)
	}
	// A run logs from one goroutine per host: each event is written whole,
	// under one lock, whatever w is.
	return zerolog.New(zerolog.SyncWriter(w)).Level(level).With().Timestamp().Logger(), nil
}
