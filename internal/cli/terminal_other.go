//go:build !unix

package cli

// terminalColumns is unknown on systems without TIOCGWINSZ; diagnostics
// are then not wrapped.
func terminalColumns(uintptr) int { return 0 }
