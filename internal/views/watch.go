package views

import (
	"fmt"
	"io"
	"time"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/plans"
)

// Watch shows a watcher: what it watches, every cycle's report, and when
// it stops; as text for people or, with JSON, as one JSON object per line
// and event, for log collectors.
type Watch struct {
	W    io.Writer
	JSON bool
}

// Watching says what is watched, how, and where it is journaled.
func (v Watch) Watching(playbook string, mode drift.Mode, schedule, journal string) error {
	if v.JSON {
		return writeJSONLine(v.W, watchEvent{Type: "watching", Playbook: playbook, Mode: string(mode), Schedule: schedule, Journal: journal})
	}
	_, err := fmt.Fprintf(v.W, "Watching %s in %s mode, schedule %s; journal %s.\n", playbook, mode, schedule, journal)
	return err
}

// Serving says where the metrics and health are served.
func (v Watch) Serving(addr string) error {
	if v.JSON {
		return writeJSONLine(v.W, watchEvent{Type: "serving", Address: addr})
	}
	_, err := fmt.Fprintf(v.W, "Serving metrics at http://%s/metrics and health at http://%s/healthz.\n", addr, addr)
	return err
}

// Stopped says the watcher stopped.
func (v Watch) Stopped() error {
	if v.JSON {
		return writeJSONLine(v.W, watchEvent{Type: "stopped"})
	}
	_, err := fmt.Fprintln(v.W, "Stopped.")
	return err
}

// Cleared says a person cleared the flapping mark of address.
func (v Watch) Cleared(playbook, address string) error {
	if v.JSON {
		return writeJSONLine(v.W, watchEvent{Type: "cleared", Playbook: playbook, Address: address})
	}
	_, err := fmt.Fprintf(v.W, "Cleared: %s of %s is corrected again by the next cycle in correct mode.\n", address, playbook)
	return err
}

// Cycle shows one cycle's report.
func (v Watch) Cycle(rep drift.CycleReport) error {
	if v.JSON {
		return writeJSONLine(v.W, cycleEvent(rep))
	}
	w := v.W
	fmt.Fprintf(w, "\n%s cycle", rep.Started.Local().Format("2006-01-02 15:04:05"))
	if rep.RunID != 0 {
		fmt.Fprintf(w, " (run %d)", rep.RunID)
	}
	fmt.Fprintf(w, ", %s mode: %s: %s\n", rep.Mode, rep.Outcome, rep.Summary)
	for _, it := range rep.Items {
		fmt.Fprintf(w, "  %s %s %s", it.Action.Symbol(), it.Address, it.Action)
		if it.Object != "" {
			fmt.Fprintf(w, " %s", it.Object)
		}
		if !it.FirstSeen.IsZero() {
			fmt.Fprintf(w, ", drifting since %s", it.FirstSeen.Local().Format("2006-01-02 15:04:05"))
		}
		fmt.Fprintln(w)
		switch {
		case it.Corrected():
			fmt.Fprintln(w, "      corrected")
		case it.Result != "":
			fmt.Fprintf(w, "      %s %s\n", it.Result, it.Error)
		case it.Held != "":
			fmt.Fprintf(w, "      not applied: %s\n", it.Held)
		}
	}
	for _, h := range rep.HostErrors {
		fmt.Fprintf(w, "  host %s could not be read: %s\n", h.Host, h.Error)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	return nil
}

// watchEvent is one line of the JSON form of a watcher's events other
// than cycles.
type watchEvent struct {
	Type     string `json:"type"`
	Playbook string `json:"playbook,omitempty"`
	Mode     string `json:"mode,omitempty"`
	Schedule string `json:"schedule,omitempty"`
	Journal  string `json:"journal,omitempty"`
	Address  string `json:"address,omitempty"`
}

// cycleJSON is the JSON form of a cycle's report.
type cycleJSON struct {
	Type       string          `json:"type"`
	Run        int64           `json:"run,omitempty"`
	Playbook   string          `json:"playbook"`
	Mode       string          `json:"mode"`
	Started    time.Time       `json:"started"`
	Finished   time.Time       `json:"finished"`
	Outcome    string          `json:"outcome"`
	Summary    string          `json:"summary"`
	Skipped    string          `json:"skipped,omitempty"`
	WindowOpen bool            `json:"window_open"`
	NextWindow time.Time       `json:"next_window,omitzero"`
	Items      []cycleItemJSON `json:"items"`
	HostErrors []hostErrorJSON `json:"host_errors,omitempty"`
	Errors     []string        `json:"errors,omitempty"`
}

type cycleItemJSON struct {
	Address   string       `json:"address"`
	Step      string       `json:"step"`
	Host      string       `json:"host"`
	Action    plans.Action `json:"action"`
	Object    string       `json:"object,omitempty"`
	Reason    string       `json:"reason,omitempty"`
	FirstSeen time.Time    `json:"first_seen,omitzero"`
	Flapping  bool         `json:"flapping,omitempty"`
	Triggered bool         `json:"triggered,omitempty"`
	Revert    bool         `json:"revert,omitempty"`
	Held      string       `json:"held,omitempty"`
	Result    plans.Status `json:"result,omitempty"`
	Error     string       `json:"error,omitempty"`
	Converged bool         `json:"converged,omitempty"`
	Corrected bool         `json:"corrected"`
}

type hostErrorJSON struct {
	Host  string `json:"host"`
	Error string `json:"error"`
}

func cycleEvent(rep drift.CycleReport) cycleJSON {
	out := cycleJSON{Type: "cycle", Run: rep.RunID, Playbook: rep.Playbook, Mode: string(rep.Mode), Started: rep.Started, Finished: rep.Finished,
		Outcome: rep.Outcome, Summary: rep.Summary, Skipped: rep.Skipped, WindowOpen: rep.WindowOpen, NextWindow: rep.NextWindow,
		Items: []cycleItemJSON{}, Errors: rep.Errors}
	for _, it := range rep.Items {
		out.Items = append(out.Items, cycleItemJSON{Address: it.Address, Step: it.Step, Host: it.Host, Action: it.Action, Object: it.Object,
			Reason: it.Reason, FirstSeen: it.FirstSeen, Flapping: it.Flapping, Triggered: it.Triggered, Revert: it.Revert, Held: it.Held,
			Result: it.Result, Error: it.Error, Converged: it.Converged, Corrected: it.Corrected()})
	}
	for _, h := range rep.HostErrors {
		out.HostErrors = append(out.HostErrors, hostErrorJSON(h))
	}
	return out
}
