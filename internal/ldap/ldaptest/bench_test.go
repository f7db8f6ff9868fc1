package ldaptest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/ldap"
)

// countingDirectory counts the searches that reach the server.
type countingDirectory struct {
	*ldap.Directory
	searches int
}

func (c *countingDirectory) Search(ctx context.Context, req actions.SearchRequest) ([]actions.Entry, error) {
	c.searches++
	return c.Directory.Search(ctx, req)
}

// BenchmarkHolders looks up the four KB SPNs of many Exchange servers in a
// lab forest of 2,000 accounts: batched OR filters against one search per
// SPN. It reports searches per lookup.
func BenchmarkHolders(b *testing.B) {
	tg := StartLab(b)
	names := make([]string, 2000)
	for i := range names {
		names[i] = fmt.Sprintf("EX%04d", i)
	}
	tg.Fixtures.AddComputers(b, names...)
	var spns []string
	for _, n := range names[:250] {
		spns = append(spns, ldap.KBSPNs(n, n+"."+tg.DNSDomain, nil)...)
	}
	cfg := tg.config()
	cfg.Timeout = time.Minute
	for _, mode := range []string{"batched", "one-per-spn"} {
		b.Run(fmt.Sprintf("%s/%d-spns", mode, len(spns)), func(b *testing.B) {
			dir := &countingDirectory{Directory: open(b, cfg)}
			ctx := context.Background()
			for b.Loop() {
				if mode == "batched" {
					if _, err := ldap.Holders(ctx, dir, spns); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, spn := range spns {
					if _, err := ldap.Holders(ctx, dir, []string{spn}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(dir.searches)/float64(b.N), "searches/op")
		})
	}
}

// BenchmarkDuplicateScan scans a lab forest of 5,000 accounts holding
// 20,000 SPNs, page by page.
func BenchmarkDuplicateScan(b *testing.B) {
	tg := StartLab(b)
	names := make([]string, 5000)
	for i := range names {
		names[i] = fmt.Sprintf("H%04d", i)
	}
	dns := tg.Fixtures.AddComputers(b, names...)
	var writes []SPNWrite
	for i, dn := range dns {
		for _, spn := range ldap.KBSPNs(names[i], names[i]+"."+tg.DNSDomain, nil) {
			writes = append(writes, SPNWrite{DN: dn, SPN: spn})
		}
	}
	writes = append(writes, SPNWrite{DN: dns[1], SPN: "SMTPSVC/H0000"})
	tg.Fixtures.SeedSPNs(b, writes...)
	d := open(b, tg.config())
	for b.Loop() {
		found := 0
		if err := ldap.DuplicateScan(context.Background(), d, 0, func(ldap.Duplicate) { found++ }); err != nil {
			b.Fatal(err)
		}
		if found != 1 {
			b.Fatalf("%d duplicates, want 1", found)
		}
	}
}
