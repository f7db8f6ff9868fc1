package ops

import (
	"fmt"
	"strings"
)

// FormatError reports native command output (repadmin) that
// does not have the format its parser expects. Callers tell it apart with
// errors.As; the command's text is data, so the error quotes at most one
// short line of it.
type FormatError struct {
	// Command names the command whose output was read, e.g.
	// "repadmin /showrepl".
	Command string
	// Line is the 1-based line at fault, or 0 when the output as a whole is.
	Line int
	// Reason says what was expected.
	Reason string
}

// Error implements error.
func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s output, line %d: %s", e.Command, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s output: %s", e.Command, e.Reason)
}

// outputLines splits command output into lines without their CR/LF endings
// and a leading byte order mark.
func outputLines(text string) []string {
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}

// quoteLine shortens a line of output for an error message.
func quoteLine(line string) string {
	const max = 80
	line = strings.TrimSpace(line)
	if r := []rune(line); len(r) > max {
		line = string(r[:max]) + "..."
	}
	return fmt.Sprintf("%q", line)
}
