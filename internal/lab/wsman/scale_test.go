package wsman

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// addHosts adds n hosts named h0001... and returns them.
func addHosts(tb testing.TB, l *lab, n int) []*Host {
	tb.Helper()
	hosts := make([]*Host, n)
	for i := range hosts {
		h, err := l.srv.AddHost(HostSpec{Name: fmt.Sprintf("h%04d", i+1)})
		if err != nil {
			tb.Fatal(err)
		}
		hosts[i] = h
	}
	return hosts
}

// runEverywhere runs "hostname" once on every host through masterzen, with
// bounded parallelism, and fails on any wrong answer.
func runEverywhere(tb testing.TB, l *lab, hosts []*Host, ntlm bool) {
	tb.Helper()
	work := make(chan *Host)
	errs := make(chan error, len(hosts))
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				client := l.masterzen(tb, h, ntlm, 30*time.Second)
				var out, errOut strings.Builder
				code, err := client.Run("hostname", &out, &errOut)
				if err != nil || code != 0 || out.String() != h.Name() {
					errs <- fmt.Errorf("%s: code %d stdout %q err %v", h.Name(), code, out.String(), err)
				}
			}
		}()
	}
	for _, h := range hosts {
		work <- h
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Error(err)
	}
}

// TestThousandHosts serves 1,000 hosts from one server, each on its own
// address, checks that an idle host costs no goroutine beyond its accept
// loop, and runs one command on each.
func TestThousandHosts(t *testing.T) {
	const n = 1000
	l := newLab(t, nil)
	before := runtime.NumGoroutine()
	heapBefore := heapInUse()
	hosts := addHosts(t, l, n)
	heapAfter := heapInUse()
	if extra := runtime.NumGoroutine() - before; extra > n+10 {
		t.Fatalf("%d goroutines for %d idle hosts: want at most one (the accept loop) each", extra, n)
	}
	addrs := make(map[string]bool, n)
	for _, h := range hosts {
		addrs[h.Addr()] = true
	}
	if len(addrs) != n {
		t.Fatalf("%d distinct addresses for %d hosts", len(addrs), n)
	}

	runEverywhere(t, l, hosts, false)

	c := l.srv.Counts()
	if c.Create != n || c.Command != n || c.Delete != n || c.Signal != n {
		t.Fatalf("server counts %+v: want %d of each shell request", c, n)
	}
	for _, h := range hosts {
		if hc := h.Counts(); hc.Create != 1 || hc.Command != 1 {
			t.Fatalf("%s counts %+v: want one shell and one command", h.Name(), hc)
		}
	}
	t.Logf("%d hosts: %.1f HTTP requests/host, %.1f SOAP requests/host, %.1f KiB heap/idle host, first %s, last %s",
		n, float64(c.HTTP)/n, float64(c.SOAP())/n, float64(heapAfter-heapBefore)/n/1024,
		hosts[0].Addr(), hosts[n-1].Addr())
}

// BenchmarkHosts serves 1,000 hosts and runs b.N commands spread over them
// with masterzen, reporting requests per command and per host and the heap
// an idle host costs.
func BenchmarkHosts(b *testing.B) {
	for _, auth := range []string{"basic", "ntlm"} {
		b.Run(auth, func(b *testing.B) {
			const n = 1000
			l := newLab(b, nil)
			goroutines := runtime.NumGoroutine()
			heapBefore := heapInUse()
			hosts := addHosts(b, l, n)
			idleHeap := float64(heapInUse()-heapBefore) / n
			idleGoroutines := float64(runtime.NumGoroutine()-goroutines) / n
			targets := make([]*Host, b.N)
			for i := range targets {
				targets[i] = hosts[i%n]
			}
			b.ResetTimer()
			runEverywhere(b, l, targets, auth == "ntlm")
			b.StopTimer()
			c := l.srv.Counts()
			touched := float64(min(b.N, n))
			b.ReportMetric(float64(c.HTTP)/float64(b.N), "http-req/cmd")
			b.ReportMetric(float64(c.SOAP())/float64(b.N), "soap-req/cmd")
			b.ReportMetric(float64(c.HTTP)/touched, "http-req/host")
			b.ReportMetric(float64(c.Handshakes)/touched, "ntlm-handshakes/host")
			b.ReportMetric(idleHeap/1024, "KiB-heap/idle-host")
			b.ReportMetric(idleGoroutines, "goroutines/idle-host")
		})
	}
}
