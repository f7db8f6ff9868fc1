package views

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// syncBuffer is a buffer written by the progress view's ticker goroutine
// and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s.b.String(), "\n"), "\n")
}

// fakeTicker hands the view a tick channel the test drives, and waits for
// each report to be written.
type fakeTicker struct {
	ticks   chan time.Time
	stopped chan struct{}
}

func (f *fakeTicker) new(d time.Duration) (<-chan time.Time, func()) {
	if d != DefaultProgressInterval {
		panic("interval " + d.String())
	}
	return f.ticks, func() { close(f.stopped) }
}

// TestProgressNotOnATerminalNamesWhatItWaitsFor reads four hosts in a
// pipe, one of them hung: each tick writes a line with how many hosts are
// read and the hosts still being read, longest first, and the end of the
// reads says so and stops the ticks. No time passes but the fake clock's.
func TestProgressNotOnATerminalNamesWhatItWaitsFor(t *testing.T) {
	var out syncBuffer
	clock := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	now := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	advance := func(d time.Duration) { clockMu.Lock(); clock = clock.Add(d); clockMu.Unlock() }
	ft := &fakeTicker{ticks: make(chan time.Time), stopped: make(chan struct{})}
	p := NewProgress(&out, Style{}, false)
	p.Now, p.NewTicker = now, ft.new
	tick := func() {
		n := len(out.lines())
		ft.ticks <- now()
		for deadline := time.Now().Add(10 * time.Second); len(out.lines()) == n; {
			if time.Now().After(deadline) {
				t.Fatal("a tick wrote no line")
			}
			time.Sleep(time.Millisecond)
		}
	}

	p.ReadStarting("ex03", 4)
	advance(time.Second)
	p.ReadStarting("ex01", 4)
	p.ReadStarting("ex02", 4)
	p.ReadDone("ex01", 1, 4, nil)
	advance(4 * time.Second)
	tick()
	p.ReadDone("ex02", 2, 4, errors.New("ex02: batch: connect: refused"))
	p.ReadStarting("ex04", 4)
	p.ReadDone("ex04", 3, 4, nil)
	advance(55 * time.Second)
	tick()
	p.ReadDone("ex03", 4, 4, errors.New("ex03: batch: timeout: no answer within the command timeout of 1m0s"))
	select {
	case <-ft.stopped:
	default:
		t.Error("the ticks go on after every host was read")
	}
	want := []string{
		"Reading hosts: 1/4 done after 5s; still reading ex03 (for 5s), ex02 (for 4s); 1 not started yet (at most -parallelism at once)",
		"Reading hosts: 3/4 done after 1m0s; still reading ex03 (for 1m0s)",
		"Read 4 hosts in 1m0s.",
	}
	if diff := cmp.Diff(want, out.lines()); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

// TestProgressNotOnATerminalIsQuietWhenQuick: reads that end before the
// first tick write nothing, as before.
func TestProgressNotOnATerminalIsQuietWhenQuick(t *testing.T) {
	var out bytes.Buffer
	ft := &fakeTicker{ticks: make(chan time.Time), stopped: make(chan struct{})}
	p := NewProgress(&out, Style{}, false)
	p.NewTicker = ft.new
	p.ReadStarting("ex01", 1)
	p.ReadDone("ex01", 1, 1, nil)
	<-ft.stopped
	if out.Len() != 0 {
		t.Errorf("a quick read wrote %q", out.String())
	}
}
