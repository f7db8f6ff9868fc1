package views

import (
	"fmt"
	"io"

	"github.com/rectifyhq/rectify/operation"
)

// Apply shows an apply to people: the progress of its reads and changes,
// the overrides and the run once it holds its hosts, and how it ended.
// What went wrong before any change goes to the error stream, prefixed by
// the command's name.
type Apply struct {
	*Progress
	out, errs io.Writer
	st        Style
	// command prefixes error lines ("rectify apply").
	command string
}

var _ operation.ApplyView = (*Apply)(nil)

// NewApply returns the view of an apply writing to out and errs; terminal
// says whether out is one.
func NewApply(out, errs io.Writer, st Style, terminal bool, command string) *Apply {
	return &Apply{Progress: NewProgress(out, st, terminal), out: out, errs: errs, st: st, command: command}
}

// Started implements operation.ApplyView.
func (v *Apply) Started(run int64, req *operation.ApplyRequest) {
	if req.WindowOverride != "" {
		fmt.Fprintf(v.out, "\nThe change windows are overridden: %q (journaled with run %d).\n", req.WindowOverride, run)
	}
	if req.PlanAgeOverride != "" {
		fmt.Fprintf(v.out, "\nThe plan's age limit is overridden: %q (journaled with run %d).\n", req.PlanAgeOverride, run)
	}
	fmt.Fprintf(v.out, "\nApplying (run %d)...\n", run)
}

// Ended implements operation.ApplyView.
func (v *Apply) Ended(res operation.Result) {
	switch {
	case res.Err != nil:
		fmt.Fprintf(v.errs, "%s: nothing was changed: %v\n", v.command, res.Err)
	case res.Applied != nil:
		ApplySummary(v.out, res.Applied, v.st)
		switch {
		case res.Stopped != nil:
			fmt.Fprintf(v.out, "Stopped: %v; the journal (run %d) records every change made and in flight.\n", res.Stopped, res.RunID)
		case res.Outcome == operation.Interrupted:
			fmt.Fprintf(v.out, "Interrupted; the journal (run %d) records every change made and in flight.\n", res.RunID)
		}
	}
	if res.JournalErr != nil {
		fmt.Fprintf(v.errs, "%s: %v\n", v.command, res.JournalErr)
	}
}
