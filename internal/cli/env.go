package cli

import (
	"io"
	"os"
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// Env is everything a command may touch of the world outside: its streams,
// the environment, the working directory, what the terminal is, and the
// actions rectify knows. cmd/rectify fills it with the real ones; tests
// with buffers and fakes.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	// LookupEnv reads an environment variable, for env() in playbooks and
	// inventories.
	LookupEnv func(string) (string, bool)
	// Getwd returns the directory relative paths are resolved against.
	Getwd func() (string, error)
	// IsTerminal reports whether w is an interactive terminal: colour and
	// console logs are used only there.
	IsTerminal func(w io.Writer) bool
	// TerminalWidth returns the width of the terminal w is, 0 when unknown
	// or not a terminal.
	TerminalWidth func(w io.Writer) int
	// Actions is the registry playbook steps are resolved against.
	Actions *actions.Registry
	// Version is the release this binary was built from; "" reads it from
	// the build information.
	Version string
	// ProgressTicker, when set, paces the progress reports of reads not on
	// a terminal instead of a ticker of views.DefaultProgressInterval.
	ProgressTicker func(d time.Duration) (<-chan time.Time, func())
}

// withDefaults fills what a caller left nil with harmless values: no
// input, an empty environment, the process's directory, no terminal and
// no actions.
func (e Env) withDefaults() Env {
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Stderr == nil {
		e.Stderr = io.Discard
	}
	if e.Stdin == nil {
		e.Stdin = eofReader{}
	}
	if e.LookupEnv == nil {
		e.LookupEnv = func(string) (string, bool) { return "", false }
	}
	if e.Getwd == nil {
		e.Getwd = os.Getwd
	}
	if e.IsTerminal == nil {
		e.IsTerminal = func(io.Writer) bool { return false }
	}
	if e.TerminalWidth == nil {
		e.TerminalWidth = func(io.Writer) int { return 0 }
	}
	if e.Actions == nil {
		e.Actions = actions.NewRegistry()
	}
	return e
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
