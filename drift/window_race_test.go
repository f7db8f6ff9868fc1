package drift_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
)

// closingClock is the env's clock until the window check of the
// correction: that reading is still inside the window, and every reading
// after it is past the window's end, as when the window closes while the
// cycle goes from its check to the apply. It notes which function read
// each time after the check.
type closingClock struct {
	*fakeClock
	closesAt time.Time

	mu      sync.Mutex
	closed  bool
	readers []string
}

func (c *closingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		c.readers = append(c.readers, reader())
		return c.closesAt
	}
	if strings.HasSuffix(reader(), "drift.(*CycleRun).Corrections") {
		c.closed = true
		c.readers = append(c.readers, reader())
	}
	return c.fakeClock.Now()
}

// reader names the function outside this file that asked for the time
// (the engine reads the cycle's clock through a method value, the cycle's
// Now and its own now helper, which it skips).
func reader() string {
	pc := make([]uintptr, 10)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if !strings.Contains(f.Function, "closingClock") && !strings.HasSuffix(f.Function, "-fm") && !strings.HasSuffix(f.Function, ").now") &&
			!strings.HasSuffix(f.Function, "drift.(*CycleRun).Now") {
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

// TestWindowClosesBetweenCheckAndApply: the cycle finds the window open
// and the LogLevel of ex01 drifted, and the window closes before the
// apply starts. Nothing may change; the drift is reported as held for the
// window with the next opening, not as a failure, and stays open.
func TestWindowClosesBetweenCheckAndApply(t *testing.T) {
	e := newEnv(t, lab.KB979174().WithFaults(), inWindow)
	baseline(t, e)
	e.setLogLevel(t, "ex01", 0)
	// The window of Saturday 28 November 2026 closes on Sunday at 02:00
	// in Berlin; the next opens on Saturday 5 December at 22:00.
	closesAt := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)
	nextOpens := time.Date(2026, 12, 5, 21, 0, 0, 0, time.UTC)
	e.clock.Set(closesAt.Add(-time.Second))
	clock := &closingClock{fakeClock: e.clock, closesAt: closesAt}
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Schedule: drift.Every(2 * time.Second), Mode: drift.Correct,
		Prepare: e.prepare(nil), Operator: e.operator(), Store: e.journal, Metrics: e.metrics,
		Logger: zerolog.New(e.logs), Clock: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := e.once(t, w)

	// The scenario is the one named: the correction's check saw the window
	// open, and the apply was the next to read the time.
	if len(clock.readers) < 2 || !strings.HasSuffix(clock.readers[0], "drift.(*CycleRun).Corrections") ||
		!strings.HasSuffix(clock.readers[1], "engine.(*Engine).Apply") {
		t.Fatalf("the time was read by %q after the check; want the correction's check, then the apply", clock.readers)
	}
	// The Kerberos log reads the LogLevel change would trigger wait too.
	want := []string{"step.kerberos_errors[ex01] run held", "step.kerberos_errors[ex02] run held", "step.kerberos_log[ex01] update held"}
	if diff := cmp.Diff(want, items(rep)); diff != "" {
		t.Fatalf("items (-want +got):\n%s\n%v", diff, rep.Errors)
	}
	for _, it := range rep.Items {
		if it.Held != drift.HeldWindow {
			t.Errorf("%s: held %q, want %q", it.Address, it.Held, drift.HeldWindow)
		}
	}
	if len(rep.Errors) != 0 || rep.Outcome != string(operation.Succeeded) {
		t.Errorf("a window that closed is reported as a failure: %s %q", rep.Outcome, rep.Errors)
	}
	if rep.WindowOpen || !rep.NextWindow.Equal(nextOpens) {
		t.Errorf("window open %v, next %v; want closed until %v", rep.WindowOpen, rep.NextWindow, nextOpens)
	}
	if want := "outside the change windows until " + nextOpens.Format(time.RFC3339); !strings.Contains(rep.Summary, want) {
		t.Errorf("summary %q does not say %q", rep.Summary, want)
	}
	if v, _ := e.logLevel(t, "ex01"); v != uint32(0) {
		t.Errorf("ex01's LogLevel was changed to %v after the window closed", v)
	}
	if _, changes, err := e.journal.Run(context.Background(), rep.RunID); err != nil || len(changes) != 0 {
		t.Errorf("the run journaled %d change(s) (%v) after the window closed", len(changes), err)
	}
	if open := e.openDrift(t); len(open["step.kerberos_log[ex01]"].Corrections) != 0 {
		t.Errorf("drift of step.kerberos_log[ex01]: %+v; want it open with no correction", open["step.kerberos_log[ex01]"])
	}
	if _, ok := e.openDrift(t)["step.kerberos_log[ex01]"]; !ok {
		t.Error("the drift of step.kerberos_log[ex01] is not open any more")
	}
}
