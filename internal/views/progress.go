package views

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// DefaultProgressInterval is how often progress not on a terminal says
// how far the reads are and which hosts are still being read.
const DefaultProgressInterval = 5 * time.Second

// shownWaiting is how many of the hosts still being read a progress line
// names, those read longest first.
const shownWaiting = 5

// Progress shows a run as it happens: reads done per host, each change as
// it starts and ends, each batch's verification. On a terminal reads are
// counted on one line. Elsewhere (CI, AWX, Task Scheduler: a log read
// later, line by line) every Interval a line says how many hosts are read
// and names those still being read, so that a slow or hung host is never
// silence; a read shorter than Interval writes nothing.
type Progress struct {
	w        io.Writer
	st       Style
	terminal bool

	// Interval is how often a line reports the reads when not on a
	// terminal; 0 means DefaultProgressInterval.
	Interval time.Duration
	// NewTicker, when set, replaces time.NewTicker: it returns the ticks
	// and a function that stops them.
	NewTicker func(d time.Duration) (<-chan time.Time, func())
	// Now, when set, replaces time.Now.
	Now func() time.Time

	mu      sync.Mutex
	started map[string]time.Time
	// The reads under way when not on a terminal: when each host's read
	// started, how many of how many hosts are done since readStart, and
	// stopTicks, which ends the reports (nil when no read is under way).
	reading   map[string]time.Time
	readDone  int
	readTotal int
	readStart time.Time
	reported  bool
	stopTicks func()
}

var (
	_ engine.Hooks         = (*Progress)(nil)
	_ engine.ReadStartHook = (*Progress)(nil)
)

// NewProgress returns a progress view writing to w.
func NewProgress(w io.Writer, st Style, terminal bool) *Progress {
	return &Progress{w: w, st: st, terminal: terminal, started: map[string]time.Time{}, reading: map[string]time.Time{}}
}

func (p *Progress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// ReadStarting implements engine.ReadStartHook: the first host of a read
// starts the reports, when not on a terminal.
func (p *Progress) ReadStarting(host string, total int) {
	if p.terminal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.stopTicks == nil {
		p.readDone, p.readTotal, p.readStart, p.reported = 0, total, now, false
		clear(p.reading)
		p.startTicks()
	}
	p.reading[host] = now
}

// startTicks reports the reads every interval until stopTicks is called.
func (p *Progress) startTicks() {
	interval := p.Interval
	if interval <= 0 {
		interval = DefaultProgressInterval
	}
	newTicker := p.NewTicker
	if newTicker == nil {
		newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	ticks, stop := newTicker(interval)
	done := make(chan struct{})
	p.stopTicks = func() {
		stop()
		close(done)
	}
	go func() {
		for {
			select {
			case <-ticks:
				p.reportReads()
			case <-done:
				return
			}
		}
	}()
}

// reportReads writes how far the reads are, naming the hosts still being
// read, longest first.
func (p *Progress) reportReads() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopTicks == nil {
		return
	}
	now := p.now()
	hosts := make([]string, 0, len(p.reading))
	for h := range p.reading {
		hosts = append(hosts, h)
	}
	sort.Slice(hosts, func(i, j int) bool {
		if a, b := p.reading[hosts[i]], p.reading[hosts[j]]; !a.Equal(b) {
			return a.Before(b)
		}
		return hosts[i] < hosts[j]
	})
	line := fmt.Sprintf("Reading hosts: %d/%d done after %s", p.readDone, p.readTotal, now.Sub(p.readStart).Round(time.Second))
	if len(hosts) > 0 {
		named := make([]string, 0, min(len(hosts), shownWaiting))
		for _, h := range hosts[:min(len(hosts), shownWaiting)] {
			named = append(named, fmt.Sprintf("%s (for %s)", h, now.Sub(p.reading[h]).Round(time.Second)))
		}
		line += "; still reading " + strings.Join(named, ", ")
		if more := len(hosts) - len(named); more > 0 {
			line += fmt.Sprintf(" and %d more", more)
		}
	}
	if queued := p.readTotal - p.readDone - len(hosts); queued > 0 {
		line += fmt.Sprintf("; %d not started yet (at most -parallelism at once)", queued)
	}
	fmt.Fprintln(p.w, line)
	p.reported = true
}

// Close stops the reports of reads that did not end (the run was
// stopped).
func (p *Progress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopTicks != nil {
		p.stopTicks()
		p.stopTicks = nil
	}
}

// ReadDone implements engine.Hooks.
func (p *Progress) ReadDone(host string, done, total int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		fmt.Fprintf(p.w, "\rReading hosts: %d/%d", done, total)
		if done == total {
			fmt.Fprint(p.w, "\n")
		}
		return
	}
	delete(p.reading, host)
	p.readDone, p.readTotal = done, total
	if done == total && p.stopTicks != nil {
		p.stopTicks()
		p.stopTicks = nil
		// A read that outlasted an interval was reported: say it ended.
		if p.reported {
			fmt.Fprintf(p.w, "Read %d hosts in %s.\n", total, p.now().Sub(p.readStart).Round(time.Second))
		}
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
