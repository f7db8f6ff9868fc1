//go:build unix

package cli

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/metrics/metricstest"
	"github.com/rectifyhq/rectify/internal/pgtest"
	"github.com/rectifyhq/rectify/operation"
)

// failoverDuration is how long TestWatchersFailOver kills watchers: about
// a minute, or RECTIFY_FAILOVER_SOAK (a duration, "10m") for a longer run.
func failoverDuration(t *testing.T) time.Duration {
	if s := os.Getenv("RECTIFY_FAILOVER_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("RECTIFY_FAILOVER_SOAK=%q: %v", s, err)
		}
		return d
	}
	return 60 * time.Second
}

// watcherProc is one real rectify watch process.
type watcherProc struct {
	cmd     *exec.Cmd
	metrics string // the address of its /metrics and /healthz
	out     bytes.Buffer
	mu      sync.Mutex
}

// TestWatchersFailOver runs three real watchers of one playbook on one
// PostgreSQL journal and kills them with SIGKILL at random, mostly the
// active one, starting a new one in place of each. The journal's records
// must show one active watcher at a time (leadership terms that never
// overlap, every cycle claimed inside its term), a new term soon after the
// active one died, and every slot of the schedule journaled exactly once,
// each run cycle with its run.
func TestWatchersFailOver(t *testing.T) {
	bin := buildRectify(t)
	db := pgtest.Database(t)
	f := startLab(t, lab.KB979174())
	const (
		every = 2 * time.Second
		lease = 3 * time.Second
	)
	start := func() *watcherProc {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		p := &watcherProc{metrics: addr, cmd: exec.Command(bin, "watch", "-every", every.String(), "-lease", lease.String(), "-mode", "monitor",
			"-metrics-addr", addr, "-inventory", "inventory.hcl", "-state", db.URL, "exchange-454")}
		p.cmd.Dir = f.dir
		p.cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range f.env {
			p.cmd.Env = append(p.cmd.Env, k+"="+v)
		}
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	procs := []*watcherProc{start(), start(), start()}
	defer func() {
		for _, p := range procs {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	}()

	ctx := context.Background()
	j, err := journal.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	const scope = "watch exchange-454"
	activePID := func() int {
		terms, err := j.Terms(ctx, scope)
		if err != nil || len(terms) == 0 {
			return 0
		}
		last := terms[len(terms)-1]
		if !last.Ended.IsZero() || time.Now().After(last.Expires) {
			return 0
		}
		var pid int
		for i := len(last.Holder) - 1; i >= 0; i-- {
			if last.Holder[i] == ' ' {
				pid, _ = strconv.Atoi(last.Holder[i+1:])
				break
			}
		}
		return pid
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 16))
	deadline := time.Now().Add(failoverDuration(t))
	kills := 0
	for time.Now().Before(deadline) {
		time.Sleep(time.Duration(3000+rng.IntN(5000)) * time.Millisecond)
		victim := rng.IntN(len(procs))
		// Mostly the active watcher: that is the failover.
		if rng.IntN(4) != 0 {
			if pid := activePID(); pid != 0 {
				for i, p := range procs {
					if p.cmd.Process.Pid == pid {
						victim = i
					}
				}
			}
		}
		p := procs[victim]
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		kills++
		procs[victim] = start()
	}
	// Let the last takeover finish and a cycle or two run, then stop
	// every watcher cleanly.
	time.Sleep(lease + 2*every)
	// Each watcher's metrics: exactly one says it is active, and every
	// one, standbys included, is healthy by the shared journal's schedule.
	active := 0
	for i, p := range procs {
		s, err := metricstest.Scrape(ctx, "http://"+p.metrics+"/metrics")
		if err != nil {
			t.Errorf("watcher %d's metrics: %v", i, err)
			continue
		}
		active += int(s[metricstest.Series("rectify_watch_active", "playbook", "exchange-454")])
		res, err := http.Get("http://" + p.metrics + "/healthz")
		if err != nil {
			t.Errorf("watcher %d's health: %v", i, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("watcher %d is unhealthy: %s", i, res.Status)
		}
	}
	if active != 1 {
		t.Errorf("%d watchers report themselves active, want 1", active)
	}
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		p.cmd.Wait()
	}

	terms, err := j.Terms(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	cycles, err := j.Cycles(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := j.Runs(ctx, 100000)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills, %d terms, %d slots, %d runs", kills, len(terms), len(cycles), len(runs))
	if len(terms) < 2 || len(cycles) < 10 {
		t.Fatalf("too little happened: %d terms, %d slots", len(terms), len(cycles))
	}
	// One active watcher at a time: a term starts after the one before it
	// ended or ran out, and soon after (the standbys ask every third of a
	// lease).
	byID := map[int64]journal.TermRecord{}
	for i, tm := range terms {
		byID[tm.ID] = tm
		if i == 0 {
			continue
		}
		prev := terms[i-1]
		end := prev.Expires
		if !prev.Ended.IsZero() && prev.Ended.Before(end) {
			end = prev.Ended
		}
		if tm.Started.Before(end) {
			t.Errorf("term %d (%s) started at %s, before term %d (%s) ended at %s: two active watchers",
				tm.ID, tm.Holder, tm.Started.Format(time.RFC3339Nano), prev.ID, prev.Holder, end.Format(time.RFC3339Nano))
		}
		if gap := tm.Started.Sub(end); gap > lease {
			t.Errorf("no active watcher for %s between terms %d and %d (lease %s)", gap, prev.ID, tm.ID, lease)
		}
	}
	// Every slot once, one after the other, each claimed inside the term
	// that claimed it.
	runOf := map[int64]int{}
	for i, c := range cycles {
		if i > 0 && !c.Slot.Equal(cycles[i-1].Slot.Add(every)) {
			t.Errorf("slot %s follows %s: a cycle was lost or doubled", c.Slot.Format(time.RFC3339), cycles[i-1].Slot.Format(time.RFC3339))
		}
		tm, ok := byID[c.TermID]
		if !ok || c.Claimed.Before(tm.Started) || c.Claimed.After(tm.Expires) {
			t.Errorf("slot %s was claimed at %s outside its term %+v", c.Slot.Format(time.RFC3339), c.Claimed.Format(time.RFC3339Nano), tm)
		}
		if c.RunID != 0 {
			runOf[c.RunID]++
		}
	}
	// Every watch run belongs to exactly one slot, which names it from the
	// moment the run is recorded: a run without its slot is one whose
	// watcher was killed between the two, before it planned anything.
	for _, r := range runs {
		if r.Kind != operation.KindWatch {
			continue
		}
		if n := runOf[r.ID]; n > 1 {
			t.Errorf("run %d is the cycle of %d slots", r.ID, n)
		}
		if runOf[r.ID] == 0 && r.Outcome != operation.Running && r.Outcome != operation.Interrupted {
			t.Errorf("run %d (%s) ran to its end without a slot", r.ID, r.Outcome)
		}
	}
	if t.Failed() {
		for i, p := range procs {
			t.Logf("watcher %d:\n%s", i, p.out.String())
		}
	}
}
