package views

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/plans"
)

// History shows what the journal holds: runs, one run's changes, drift
// episodes; as text for people or, with JSON, as JSON.
type History struct {
	W    io.Writer
	JSON bool
}

// Runs lists runs, newest first, as JSON (every run) or as text (a
// header, then a line per run with consecutive drift cycles that ended
// alike folded into one; see FoldRuns); path names the journal when it
// holds none.
func (h History) Runs(runs []journal.RunRecord, path string) error {
	if h.JSON {
		if runs == nil {
			runs = []journal.RunRecord{}
		}
		return writeJSON(h.W, runs)
	}
	return h.Rows(FoldRuns(runs), path)
}

// Rows writes the run list's rows under a header; path names the journal
// when there are none.
func (h History) Rows(rows []RunRow, path string) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintf(h.W, "No runs in the journal %s yet.\n", path)
		return err
	}
	return writeRunRows(h.W, rows)
}

// Run shows one run and every change it made or tried, with the data that
// undoes each.
func (h History) Run(r journal.RunRecord, changes []journal.ChangeRecord) error {
	if h.JSON {
		if changes == nil {
			changes = []journal.ChangeRecord{}
		}
		return writeJSON(h.W, struct {
			Run     journal.RunRecord      `json:"run"`
			Changes []journal.ChangeRecord `json:"changes"`
		}{r, changes})
	}
	w := h.W
	fmt.Fprintf(w, "Run %d: %s of %s, %s\n", r.ID, r.Kind, r.Playbook, runOutcome(r))
	fmt.Fprintf(w, "  by %s on %s (pid %d), %s", r.User, r.Machine, r.PID, r.Started.Local().Format(time.RFC3339))
	if !r.Finished.IsZero() {
		fmt.Fprintf(w, " to %s", r.Finished.Local().Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  playbook %s, inventory %s (%s), plan %s\n", plans.ShortDigest(r.PlaybookDigest), r.Inventory, plans.ShortDigest(r.InventoryDigest), plans.ShortDigest(r.PlanDigest))
	if who := whoLine(r); who != "" {
		fmt.Fprintf(w, "  %s\n", who)
	}
	if r.WindowOverride != "" {
		fmt.Fprintf(w, "  change window overridden: %q\n", r.WindowOverride)
	}
	if r.PlanAgeOverride != "" {
		fmt.Fprintf(w, "  plan age limit overridden: %q\n", r.PlanAgeOverride)
	}
	if r.Summary != "" {
		fmt.Fprintf(w, "  %s\n", r.Summary)
	}
	if r.Unfinished {
		fmt.Fprintln(w, "  The process ended without finishing this run (killed?). In-flight changes may or may not have been made: plan again to see what remains.")
	}
	fmt.Fprintln(w)
	for _, ch := range changes {
		fmt.Fprintf(w, "  %-9s %s (%s) %s\n", ch.Status, ch.Address, ch.Action, ch.Object)
		if ch.Error != "" {
			fmt.Fprintf(w, "            %s\n", ch.Error)
		}
		for _, m := range ch.Messages {
			fmt.Fprintf(w, "            %s\n", m)
		}
		if len(ch.Undo) > 0 {
			fmt.Fprintf(w, "            undo data: %s\n", ch.Undo)
		}
	}
	return nil
}

// Drift lists drift episodes, newest first.
func (h History) Drift(episodes []drift.Episode) error {
	if h.JSON {
		if episodes == nil {
			episodes = []drift.Episode{}
		}
		return writeJSON(h.W, episodes)
	}
	if len(episodes) == 0 {
		_, err := fmt.Fprintln(h.W, "No drift recorded.")
		return err
	}
	for _, r := range episodes {
		state := "settled " + r.Resolved.Local().Format("2006-01-02 15:04:05")
		if r.Open() {
			state = "still drifting"
		}
		if r.Flapping {
			state += ", FLAPPING since " + r.FlappingSince.Local().Format("2006-01-02 15:04:05") + " (not corrected until cleared: rectify watch -clear-flapping " + r.Address + ")"
		}
		fmt.Fprintf(h.W, "%s (%s) %s: %s\n", r.Address, r.Action, r.Object, state)
		if _, err := fmt.Fprintf(h.W, "    first seen %s, last seen %s (run %d), %d correction(s)\n",
			r.FirstSeen.Local().Format("2006-01-02 15:04:05"), r.LastSeen.Local().Format("2006-01-02 15:04:05"), r.LastRunID, len(r.Corrections)); err != nil {
			return err
		}
	}
	return nil
}

// whoLine says who planned, approved and applied an apply run ("planned
// by alice, approved by bob, applied by carol"), and as whom a shared
// journal's database knew the person who ran any other run when that
// differs from the OS account; "" when there is nothing to add.
func whoLine(r journal.RunRecord) string {
	applied := r.User
	if r.Identity != "" {
		applied = r.Identity
	}
	var parts []string
	if r.PlannedBy != "" {
		parts = append(parts, "planned by "+r.PlannedBy)
	}
	if r.ApprovedBy != "" {
		parts = append(parts, "approved by "+r.ApprovedBy)
	}
	if len(parts) == 0 && (r.Identity == "" || r.Identity == r.User) {
		return ""
	}
	verb := "run by "
	if r.Kind == "apply" {
		verb = "applied by "
	}
	return strings.Join(append(parts, verb+applied), ", ")
}
