package lab

import (
	"runtime"
	"sync"
	"testing"

	"github.com/rectifyhq/rectify/internal/testenv"
	"github.com/rectifyhq/rectify/ops"
)

// TestThousandHosts serves a generated organisation of 1,000 Exchange
// servers (and their DCs) from one process, runs one command on every
// host through a bounded pool of masterzen/winrm clients, and closes it.
func TestThousandHosts(t *testing.T) {
	testenv.SkipShort(t, "the 1,000-host lab takes a few seconds")
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
				if reading.UTC == "" || reading.SkewTimeMinutes != 5 {
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

// BenchmarkLabPerHost starts a generated lab of 200 Exchange servers (210
// hosts) and runs b.N commands spread over its hosts, each through a new
// client (Basic) as a first contact is; it reports the WS-Management and HTTP
// requests per command and per host, and the memory (heap and goroutine
// stacks) and goroutines each served host holds.
func BenchmarkLabPerHost(b *testing.B) {
	before := memoryInUse()
	goroutines := runtime.NumGoroutine()
	l := startLab(b, Generate(200), nil)
	mem := memoryInUse() - before
	hosts := l.Org().Hosts()
	n := float64(len(hosts))
	perHostGoroutines := float64(runtime.NumGoroutine()-goroutines) / n
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := hosts[i%len(hosts)]
		c := client(b, l, h.Name, false)
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
	b.ReportMetric(float64(soap)/float64(b.N), "soap/cmd")
	b.ReportMetric(float64(http)/float64(b.N), "http/cmd")
	b.ReportMetric(float64(mem)/n/1024, "KiB/host")
	b.Logf("%d hosts, %d commands: %.1f SOAP requests and %.1f HTTP exchanges per host; %.0f KiB and %.1f goroutines per served host",
		len(hosts), b.N, float64(soap)/n, float64(http)/n, float64(mem)/n/1024, perHostGoroutines)
}

// memoryInUse is the heap and stack memory in use after a collection.
func memoryInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
