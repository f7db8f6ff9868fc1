package cli

import (
	"fmt"
	"io"
	"strings"
)

// exitCode is one row of the exit code table: the code and what it means
// to a script.
type exitCode struct {
	code    int
	meaning string
}

// exitCodes is the table of rectify's exit codes, as "rectify help" and
// the manual page print it and the README repeats it (a test checks).
func exitCodes() []exitCode {
	return []exitCode{
		{exitOK, "success: nothing to change, or every change made and verified; a plan was made; a cycle ran (drift only reported is success)"},
		{exitError, "an error before any change: nothing was changed (a playbook, inventory or plan with errors, a host that could not be read, fmt -check with a file to format, a cancelled apply)"},
		{exitUsage, "a mistake in the command line (an unknown command or flag, a missing or extra argument, a bad flag value); plan -detailed-exitcode: the plan has changes (a mistake in its command line then exits 1)"},
		{exitFailed, "changes were made and some failed, were left stale or differing, or the run stopped (interrupted, max_fail) before its end"},
		{exitUnverified, "every change was made, but some did not converge or could not be verified"},
		{exitRefused, "refused before any change: outside the change windows, hosts locked by another run, a stale, forged, replayed or too old plan, or one without the approvals its playbook requires"},
	}
}

// writeExitCodes writes the exit code table for "rectify help", each
// meaning wrapped under its code.
func writeExitCodes(w io.Writer) {
	fmt.Fprint(w, "\nExit codes (every command):\n")
	for _, e := range exitCodes() {
		line := fmt.Sprintf("  %d ", e.code)
		for _, word := range strings.Fields(e.meaning) {
			if len(line)+1+len(word) > 78 {
				fmt.Fprintln(w, line)
				line = "    "
			}
			line += " " + word
		}
		fmt.Fprintln(w, line)
	}
}
