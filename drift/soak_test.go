package drift_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
)

// shiftedClock runs at real speed from a chosen start (inside the change
// window, so that the soak corrects).
type shiftedClock struct {
	start, base time.Time
}

func (c shiftedClock) Now() time.Time                         { return c.start.Add(time.Since(c.base)) }
func (c shiftedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// openSockets counts this process's open sockets.
func openSockets() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range entries {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
}

// soakPrinter prints the watcher process's figures after the first
// cycle of every minute, as "soak:" lines on standard output.
type soakPrinter struct {
	start, next       time.Time
	cycles, corrected int
}

func newSoakPrinter() *soakPrinter {
	now := time.Now()
	return &soakPrinter{start: now, next: now}
}

// cycle is the watcher's OnCycle.
func (s *soakPrinter) cycle(rep drift.CycleReport) {
	s.cycles++
	s.corrected += rep.Count(drift.Item.Corrected)
	if time.Now().Before(s.next) {
		return
	}
	s.next = s.next.Add(time.Minute)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("soak: %4.1f min: heap %5.1f MiB, goroutines %3d, open sockets %3d after cycle %4d (%s, %s: %s); %d corrected so far\n",
		time.Since(s.start).Minutes(), float64(ms.HeapAlloc)/(1<<20), runtime.NumGoroutine(), openSockets(), s.cycles,
		rep.Outcome, rep.Finished.Sub(rep.Started).Round(time.Millisecond), rep.Summary, s.corrected)
}

// soakChild runs the watcher until SIGTERM.
func soakChild(ctx context.Context, w *drift.Watcher, s *soakPrinter) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	err := w.Run(ctx)
	fmt.Printf("soak: stopped by SIGTERM after %d cycles: %v\n", s.cycles, err)
	return err
}

// BenchmarkSoak serves a 100-server lab and runs a watcher process against it
// on a one-second schedule in correct mode, re-breaking a LogLevel every
// minute; the watcher prints its heap, goroutines and open sockets every
// minute, and is stopped with SIGTERM. The figures are printed, not
// asserted. Run it with
//
//	[RECTIFY_SOAK_DURATION=10m] go test -run '^$' -bench Soak -benchtime 1x -v -timeout 30m ./drift
//
// It is a benchmark, not a test: it prints figures for minutes and asserts
// none, so the test runs of CI do not start it.
func BenchmarkSoak(b *testing.B) {
	t := b
	duration := 10 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("RECTIFY_SOAK_DURATION")); err == nil {
		duration = d
	}
	e := newEnv(t, lab.Generate(100), inWindow)
	dbPath := filepath.Join(e.dir, "journal.db")
	access := e.access(dbPath)
	access.Soak = true
	raw, err := json.Marshal(access)
	if err != nil {
		t.Fatal(err)
	}
	accessPath := filepath.Join(e.dir, "access.json")
	if err := os.WriteFile(accessPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+accessPath, envChildPassword+"="+e.h.Lab.Password())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	exchange := e.h.Lab.Exchange()
	end := time.After(duration)
	breaks := time.NewTicker(time.Minute)
	defer breaks.Stop()
	for minute := 1; ; {
		select {
		case l, ok := <-lines:
			if !ok {
				lines = nil
				continue
			}
			if strings.HasPrefix(l, "soak:") {
				t.Log(l)
			}
		case <-breaks.C:
			e.setLogLevel(t, exchange[minute%len(exchange)], 0)
			minute++
		case <-end:
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			for l := range lines {
				if strings.HasPrefix(l, "soak:") {
					t.Log(l)
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("the watcher process after SIGTERM: %v", err)
			}
			runs, err := e.journal.Runs(context.Background(), 1)
			if err != nil || len(runs) != 1 || runs[0].Outcome == operation.Running {
				t.Errorf("last run after SIGTERM: %+v, %v", runs, err)
			}
			var conns int64
			for _, h := range e.h.Lab.Org().Hosts() {
				conns += e.h.Lab.WinRMCounts(h.Name).Connections
			}
			t.Logf("lab: %d WinRM connections accepted over %s; lab process open sockets at the end %d", conns, duration, openSockets())
			return
		}
	}
}
