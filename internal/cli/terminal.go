package cli

import (
	"io"

	"github.com/mattn/go-isatty"
)

// fileDescriptor is what *os.File offers to ask about its terminal.
type fileDescriptor interface {
	Fd() uintptr
}

// IsTerminal reports whether w is a terminal (an *os.File on a TTY or a
// Windows console). It is the Env.IsTerminal of the real program.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(fileDescriptor)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// TerminalWidth returns the column count of the terminal w is, or 0. It is
// the Env.TerminalWidth of the real program.
func TerminalWidth(w io.Writer) int {
	f, ok := w.(fileDescriptor)
	if !ok || !IsTerminal(w) {
		return 0
	}
	return terminalColumns(f.Fd())
}
