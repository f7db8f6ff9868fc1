package views

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// Progress shows a run as it happens: reads done per host, each change as
// it starts and ends, each batch's verification. On a terminal reads are
// counted on one line; in a pipe only changes are shown, one line each.
type Progress struct {
	w        io.Writer
	st       Style
	terminal bool

	mu      sync.Mutex
	started map[string]time.Time
}

var _ engine.Hooks = (*Progress)(nil)

// NewProgress returns a progress view writing to w.
func NewProgress(w io.Writer, st Style, terminal bool) *Progress {
	return &Progress{w: w, st: st, terminal: terminal, started: map[string]time.Time{}}
}

// ReadDone implements engine.Hooks.
func (p *Progress) ReadDone(host string, done, total int, err error) {
	if !p.terminal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\rReading hosts: %d/%d", done, total)
	if done == total {
		fmt.Fprint(p.w, "\n")
	}
}

// ChangeStarting implements engine.Hooks.
func (p *Progress) ChangeStarting(in plans.Instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started[in.Address] = time.Now()
	if p.terminal {
		fmt.Fprintf(p.w, "  %s %s: %s...\n", p.st.symbol(in.Change.Action), in.Address, in.Change.Object)
	}
}

// ChangeDone implements engine.Hooks.
func (p *Progress) ChangeDone(in plans.Instance, res plans.ChangeResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	took := time.Since(p.started[in.Address]).Round(time.Millisecond)
	status := string(res.Status)
	switch res.Status {
	case plans.Applied:
		status = p.st.Green(status)
	case plans.Failed:
		status = p.st.Red(status)
	default:
		status = p.st.Yellow(status)
	}
	fmt.Fprintf(p.w, "  %s %s: %s after %s", p.st.symbol(in.Change.Action), in.Address, status, took)
	if res.Error != "" {
		fmt.Fprintf(p.w, ": %s", hang(res.Error, "      "))
	}
	fmt.Fprintln(p.w)
	for _, m := range res.Messages {
		fmt.Fprintf(p.w, "      %s\n", hang(m, "      "))
	}
}

// BatchVerified implements engine.Hooks.
func (p *Progress) BatchVerified(step string, hosts []string, notConverged []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(notConverged) == 0 {
		return
	}
	for _, a := range notConverged {
		fmt.Fprintf(p.w, "  %s %s did not converge: it still plans a change after being applied\n", p.st.Red("!"), a)
	}
}

// ApplySummary writes the closing lines of an apply.
func ApplySummary(w io.Writer, res *engine.ApplyResult, st Style) {
	counts := fmt.Sprintf("%d applied, %d failed, %d stale, %d skipped", res.Count(plans.Applied), res.Count(plans.Failed), res.Count(plans.Stale), res.Count(plans.Skipped))
	if n := res.Count(plans.Interrupted); n > 0 {
		counts += fmt.Sprintf(", %d interrupted", n)
	}
	switch {
	case res.OK():
		fmt.Fprintf(w, "\n%s %s; every change verified.\n", st.Green(st.Bold("Apply complete!")), counts)
	default:
		fmt.Fprintf(w, "\n%s %s.\n", st.Red(st.Bold("Apply finished with problems:")), counts)
	}
	if res.Stopped {
		fmt.Fprintf(w, "Stopped: %s.\n", res.StopReason)
	}
	for _, c := range res.Changes {
		switch c.Status {
		case plans.Failed, plans.Stale, plans.Interrupted:
			fmt.Fprintf(w, "  %s %s: %s: %s\n", st.Red("!"), c.Address, c.Status, c.Error)
		case plans.Skipped:
			fmt.Fprintf(w, "  - %s: skipped: %s\n", c.Address, c.Error)
		}
	}
	for _, a := range res.NotConverged {
		fmt.Fprintf(w, "  %s %s: applied, but a new plan still wants to change it\n", st.Red("!"), a)
	}
	for _, c := range res.Changes {
		if c.VerifyError != "" {
			fmt.Fprintf(w, "  %s %s: applied, but could not be verified: %s; plan again to check it\n", st.Yellow("?"), c.Address, c.VerifyError)
		}
	}
}
