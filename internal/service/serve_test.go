package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder collects the reported states.
type recorder struct {
	mu     sync.Mutex
	states []State
}

func (r *recorder) report(s State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, s)
}

func (r *recorder) got() []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]State(nil), r.states...)
}

func TestStopCancelsTheRunAndWaitsForIt(t *testing.T) {
	for _, req := range []Request{Stop, Shutdown} {
		requests := make(chan Request)
		var rec recorder
		finished := make(chan struct{})
		started := make(chan struct{})
		exited := make(chan int, 1)
		go func() {
			exited <- Serve(context.Background(), requests, rec.report, func(ctx context.Context) int {
				close(started)
				<-ctx.Done()
				// The running change finishes before the run returns.
				time.Sleep(20 * time.Millisecond)
				close(finished)
				return 0
			})
		}()
		<-started
		requests <- Interrogate
		requests <- req
		requests <- req // a second stop while stopping changes nothing
		code := <-exited
		select {
		case <-finished:
		default:
			t.Fatal("Serve returned before the run did")
		}
		if code != 0 {
			t.Errorf("exit code %d", code)
		}
		want := []State{StartPending, Running, Running, StopPending, Stopped}
		if diff := cmp.Diff(want, rec.got()); diff != "" {
			t.Errorf("request %d: states (-want +got):\n%s", req, diff)
		}
	}
}

func TestARunThatEndsStopsTheService(t *testing.T) {
	var rec recorder
	code := Serve(context.Background(), nil, rec.report, func(context.Context) int { return 1 })
	if code != 1 {
		t.Errorf("exit code %d, want the run's 1", code)
	}
	if diff := cmp.Diff([]State{StartPending, Running, Stopped}, rec.got()); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}
