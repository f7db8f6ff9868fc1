package directory

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// load100k fills a forest with 100,000 member computers and reports the
// heap they take.
func load100k(b *testing.B) *Directory {
	b.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := newTestDirectory(b)
	start := time.Now()
	for i := range 100_000 {
		if _, err := d.AddComputer(Computer{Name: fmt.Sprintf("WS%06d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	loadSeconds = time.Since(start).Seconds()
	runtime.GC()
	runtime.ReadMemStats(&after)
	heapPerComputer = float64(after.HeapAlloc-before.HeapAlloc) / 100_000
	return d
}

// heapPerComputer is the heap a computer object took in the last load100k,
// and loadSeconds how long the load took.
var heapPerComputer, loadSeconds float64

// BenchmarkSPNLookup measures an indexed, case-insensitive SPN search in a
// forest of 100,000 computers.
func BenchmarkSPNLookup(b *testing.B) {
	d := load100k(b)
	q := Query{Base: testRoot, Scope: ScopeSubtree, Filter: And(Equal("objectCategory", "computer"),
		Or(Equal("servicePrincipalName", "host/ws054321.CORP.example.com"), Equal("sAMAccountName", "ws054321$")))}
	b.ResetTimer()
	for b.Loop() {
		p, err := d.SearchPage(q, 0, 0)
		if err != nil || len(p.Entries) != 1 {
			b.Fatalf("%d entries, %v", len(p.Entries), err)
		}
	}
	b.ReportMetric(heapPerComputer, "heap-B/computer")
	b.ReportMetric(loadSeconds, "load-s/100k")
}

// BenchmarkFullScan pages through every SPN holder of 100,000 computers, 1000
// at a time, as setspn -X does.
func BenchmarkFullScan(b *testing.B) {
	d := load100k(b)
	q := Query{Base: testRoot, Scope: ScopeSubtree, Filter: Present("servicePrincipalName"), Attributes: []string{"sAMAccountName", "servicePrincipalName"}}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		var cursor Cursor
		for {
			p, err := d.SearchPage(q, cursor, 1000)
			if err != nil {
				b.Fatal(err)
			}
			n += len(p.Entries)
			if !p.More {
				break
			}
			cursor = p.Next
		}
		if n != 100_000 {
			b.Fatalf("%d entries", n)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(heapPerComputer, "heap-B/computer")
	b.ReportMetric(loadSeconds, "load-s/100k")
}
