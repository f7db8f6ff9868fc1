package lab

import (
	"runtime"
	"sync"
	"testing"

	"github.com/rectifyhq/rectify/actions/ops"
)

// TestThousandHosts serves a generated organisation of 1,000 Exchange
// servers (and their DCs) from one process, runs one command on every
// host through a bounded pool of masterzen/winrm clients, and closes it.
func TestThousandHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 1,000-host lab takes a few seconds")
	}
	sc := Generate(1000)
	l := startLab(t, sc, nil)
	hosts := l.Org().Hosts()
	if len(hosts) < 1000 {
		t.Fatalf("%d hosts, want at least 1000", len(hosts))
	}
	errs := runEverywhere(t, l, hosts, 16)
	for _, err := range errs {
		t.Error(err)
	}
	broken := l.QueueErrors()
	if broken == 0 || broken == len(l.Exchange()) {
		t.Errorf("%d of %d queues hold the 454 error: the faults are not spread", broken, len(l.Exchange()))
	}
}

// runEverywhere reads time.read on every host with at most workers
// clients at once, and returns what went wrong.
func runEverywhere(t testing.TB, l *Lab, hosts []*Host, workers int) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	work := make(chan *Host)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				c := client(t, l, h.Name, false)
				var reading ops.TimeReading
				runOp(t, c, ops.TimeRead, ops.TimeReadArgs{}, &reading)
				if reading.IsDC != (h.Role == RoleDC) || reading.SkewTimeMinutes != 5 {
					mu.Lock()
					errs = append(errs, &hostError{h.Name, reading})
					mu.Unlock()
				}
			}
		}()
	}
	for _, h := range hosts {
		work <- h
	}
	close(work)
	wg.Wait()
	return errs
}

type hostError struct {
	host    string
	reading ops.TimeReading
}

func (e *hostError) Error() string { return e.host + ": unexpected time.read result" }

// BenchmarkLabPerHost starts a lab of b.N... no: it starts a 200-host lab
// once and runs b.N commands spread over its hosts, then reports requests
// per host and heap per host.
func BenchmarkLabPerHost(b *testing.B) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l := startLab(b, Generate(200), nil)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	hosts := l.Org().Hosts()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := hosts[i%len(hosts)]
		c := client(b, l, h.Name, true)
		var reading ops.TimeReading
		runOp(b, c, ops.TimeRead, ops.TimeReadArgs{}, &reading)
	}
	b.StopTimer()
	var http, soap int64
	for _, h := range hosts {
		c := l.WinRMCounts(h.Name)
		http += c.HTTP
		soap += c.SOAP()
	}
	n := float64(len(hosts))
	b.ReportMetric(float64(soap)/float64(b.N), "soap/cmd")
	b.ReportMetric(float64(http)/float64(b.N), "http/cmd")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heapB/host")
	b.Logf("%d hosts: %.1f SOAP requests and %.1f HTTP exchanges per host over %d commands; %.0f KiB heap per host",
		len(hosts), float64(soap)/n, float64(http)/n, b.N, float64(after.HeapAlloc-before.HeapAlloc)/n/1024)
}
