package ldapd

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// BenchmarkFullSPNScan loads 100,000 computer objects and pages through
// (servicePrincipalName=*) over LDAPS with go-ldap, 1000 per page, as a
// duplicate-SPN scan does. It reports the load's heap per computer, the
// scan's entries per second and the server's searches per scan.
func BenchmarkFullSPNScan(b *testing.B) {
	const computers = 100_000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	dir, err := directory.New(testRoot)
	if err != nil {
		b.Fatal(err)
	}
	for i := range computers {
		if _, err := dir.AddComputer(directory.Computer{Name: fmt.Sprintf("WS%06d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / computers

	f := startServer(b, dir, nil)
	c := f.bound(b, LDAPS)
	searches := f.srv.Stats().Searches
	b.ResetTimer()
	for b.Loop() {
		res, err := c.SearchWithPaging(ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(servicePrincipalName=*)", []string{"sAMAccountName", "servicePrincipalName"}, nil), 1000)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Entries) != computers {
			b.Fatalf("%d entries, want %d", len(res.Entries), computers)
		}
	}
	b.ReportMetric(float64(computers*b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(heap, "heap-B/computer")
	b.ReportMetric(float64(f.srv.Stats().Searches-searches)/float64(b.N), "searches/scan")
}

// BenchmarkSPNSearch measures one indexed SPN search over LDAPS on a kept
// connection, the read rectify makes per SPN it checks, in a forest of
// 10,000 computers.
func BenchmarkSPNSearch(b *testing.B) {
	dir, err := directory.New(testRoot)
	if err != nil {
		b.Fatal(err)
	}
	addWorkstations(b, dir, 10_000)
	f := startServer(b, dir, nil)
	req := ldap.NewSearchRequest("", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(|(servicePrincipalName=HOST/ws05000.corp.example.com)(servicePrincipalName=host/WS05000))", []string{"sAMAccountName"}, nil)
	g := f.bound(b, GCS)
	b.ResetTimer()
	for b.Loop() {
		res, err := g.Search(req)
		if err != nil || len(res.Entries) != 1 {
			b.Fatalf("%v, %v", res, err)
		}
	}
}
