package cli

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/testenv"
	"github.com/rectifyhq/rectify/internal/views"
)

// TestPipedPlanOfManyHostsReportsAHungHost plans 300 Exchange servers in a
// pipe (no terminal) while one of them never answers. The progress ticker
// is the test's: each tick while hosts are read must write a line, the
// lines name the hung host as the one still read once the others are
// done, and the host's error says which timeout ran out. The interval
// rectify asks for is at most 5 s; no wall-clock time is asserted.
func TestPipedPlanOfManyHostsReportsAHungHost(t *testing.T) {
	testenv.SkipShort(t, "plans 300 lab hosts")
	f := startLab(t, lab.Generate(300))
	exchange := f.lab.Exchange()
	if len(exchange) != 300 {
		t.Fatalf("the generated lab has %d Exchange servers, want 300", len(exchange))
	}
	hung := exchange[150]
	if err := f.lab.SetWinRMFaults(hung, wsman.Faults{Hang: true}); err != nil {
		t.Fatal(err)
	}
	// The hung host's command gives up after 20 s instead of a minute:
	// long enough to be the host read longest, even when the machine is
	// slow (under -race every host takes seconds).
	inv, err := os.ReadFile(f.inventory)
	if err != nil {
		t.Fatal(err)
	}
	withTimeout := strings.Replace(string(inv), "winrm {\n", "winrm {\n  timeout = \"20s\"\n", 1)
	if withTimeout == string(inv) {
		t.Fatalf("no winrm block in the lab's inventory:\n%s", inv)
	}
	if err := os.WriteFile(f.inventory, []byte(withTimeout), 0o600); err != nil {
		t.Fatal(err)
	}

	ticks := make(chan time.Time)
	var (
		mu        sync.Mutex
		intervals []time.Duration
		delivered int
	)
	var stdout, stderr lockedBuffer
	env := Env{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		LookupEnv:     func(name string) (string, bool) { v, ok := f.env[name]; return v, ok },
		Getwd:         func() (string, error) { return f.dir, nil },
		IsTerminal:    func(io.Writer) bool { return false },
		TerminalWidth: func(io.Writer) int { return 0 },
		Actions:       builtin.Registry(),
		Version:       "v0.0.0-test",
		ProgressTicker: func(d time.Duration) (<-chan time.Time, func()) {
			mu.Lock()
			intervals = append(intervals, d)
			mu.Unlock()
			return ticks, func() {}
		},
	}
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"plan", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454"}, env)
	}()
	report := regexp.MustCompile(`^Reading hosts: (\d+)/(\d+) done after [^;]+(?:; still reading (.*?))?(?:; \d+ not started yet.*)?$`)
	var code int
	// A tick every 50 ms of the test's time, taken by the view when it is
	// reporting reads.
	pace := time.NewTicker(50 * time.Millisecond)
	defer pace.Stop()
	for running := true; running; {
		select {
		case code = <-done:
			running = false
		case <-pace.C:
			select {
			case ticks <- time.Now():
				// The view took the tick: it writes its line before it
				// takes the next one.
				mu.Lock()
				delivered++
				mu.Unlock()
			default:
			}
		}
	}
	if code == exitOK {
		t.Errorf("the plan with a hung host exited 0")
	}
	out := stderr.String()
	var lines, naming int
	var last string
	for _, line := range strings.Split(out, "\n") {
		m := report.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		lines++
		last = line
		if m[1] == m[2] {
			t.Errorf("a report says every host is read but the reads go on: %q", line)
		}
		if strings.Contains(m[3], hung+" (for") {
			naming++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(intervals) == 0 {
		t.Fatal("the piped plan never started its progress ticker")
	}
	for _, d := range intervals {
		if d <= 0 || d > 5*time.Second {
			t.Errorf("progress every %s, want at most 5s", d)
		}
	}
	if d := intervals[0]; d != views.DefaultProgressInterval {
		t.Errorf("interval %s, want views.DefaultProgressInterval", d)
	}
	// Every tick wrote its line, but those taken as the reads ended (at
	// most two: one waiting for the view's lock, one more before the view
	// hears that the reads are over).
	if lines < delivered-2 || delivered < 2 {
		t.Errorf("%d ticks taken, %d progress lines:\n%s", delivered, lines, out)
	}
	if naming == 0 {
		t.Errorf("no progress line names the hung host %s as still read (last: %q):\n%.3000s", hung, last, out)
	}
	if !regexp.MustCompile(regexp.QuoteMeta(hung) + `.*command timeout of 20s \(the inventory's winrm timeout\)`).MatchString(out + stdout.String()) {
		t.Errorf("the hung host's error does not say which timeout ran out:\n%s", grepLines(stdout.String()+out, hung))
	}
}

// grepLines returns the lines of s that contain word.
func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
