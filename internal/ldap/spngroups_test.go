package ldap

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

// duplicatesByMaps is the duplicate scan's grouping written the plain way
// (a map of folded SPNs to holders, strings throughout): spnGroups must
// find exactly what it finds.
func duplicatesByMaps(entries []actions.Entry) []Duplicate {
	type seen struct {
		first Holder
		more  []Holder
	}
	bySPN := make(map[string]*seen)
	for _, e := range entries {
		values := e.Values(attrSPN)
		if len(values) == 0 {
			continue
		}
		for _, v := range values {
			h := Holder{DN: e.DN, SAMAccountName: e.Get(attrSAM), DNSHostName: e.Get(attrDNSHost), SPN: v}
			s, ok := bySPN[strings.ToLower(v)]
			if !ok {
				bySPN[strings.ToLower(v)] = &seen{first: h}
				continue
			}
			if !strings.EqualFold(s.first.DN, h.DN) {
				s.more = appendHolder(s.more, h)
			}
		}
	}
	var keys []string
	for k, s := range bySPN {
		if len(s.more) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Duplicate
	for _, k := range keys {
		hs := append([]Holder{bySPN[k].first}, bySPN[k].more...)
		sortHolders(hs)
		out = append(out, Duplicate{SPN: hs[0].SPN, Holders: hs})
	}
	return out
}

// randomForest makes n accounts whose SPNs collide often, in every case,
// with accounts whose DN differs only in case, SPNs given twice on one
// account, empty values, values past ASCII (whose lower case changes
// their length) and invalid UTF-8.
func randomForest(rng *rand.Rand, n int) []actions.Entry {
	services := []string{"HOST", "host", "SMTPSVC", "smtpsvc", "HTTP", "MSSQLSvc", "İIS", "ǅX", "\xffbad"}
	var out []actions.Entry
	for i := range n {
		name := fmt.Sprintf("WS%03d", rng.IntN(n))
		dn := "CN=" + name + ",CN=Computers,DC=corp,DC=example,DC=com"
		if rng.IntN(4) == 0 {
			dn = strings.ToLower(dn)
		}
		var spns []string
		for range rng.IntN(5) {
			v := services[rng.IntN(len(services))] + "/" + fmt.Sprintf("ws%03d", rng.IntN(n))
			if rng.IntN(3) == 0 {
				v = strings.ToUpper(v)
			}
			if rng.IntN(20) == 0 {
				v = ""
			}
			spns = append(spns, v)
		}
		e := actions.Entry{DN: dn, Attributes: map[string][]string{"servicePrincipalName": spns}}
		if i%7 != 0 {
			e.Attributes["sAMAccountName"] = []string{name + "$"}
		}
		if i%5 != 0 {
			e.Attributes["dNSHostName"] = []string{strings.ToLower(name) + ".corp.example.com"}
		}
		out = append(out, e)
	}
	return out
}

// TestDuplicateScanGroupsAsMapsDo: over forests of every size, up to ones
// that grow the table many times and fill several blocks of records, the
// scan reports what the plain grouping does.
func TestDuplicateScanGroupsAsMapsDo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 17))
	for _, n := range []int{0, 1, 2, 10, 100, 3000, 20_000} {
		for round := range max(1, min(5, 20_000/max(n, 1)/4)) {
			entries := randomForest(rng, n)
			dir := &memoryDirectory{entries: entries}
			var got []Duplicate
			if err := DuplicateScan(context.Background(), dir, 0, func(d Duplicate) { got = append(got, d) }); err != nil {
				t.Fatal(err)
			}
			want := duplicatesByMaps(entries)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%d accounts, round %d (-maps +scan):\n%s", n, round, diff)
			}
			if n >= 100 && len(want) == 0 {
				t.Fatalf("%d accounts, round %d: no duplicates to compare", n, round)
			}
		}
	}
}

// TestSPNGroupsRefuseToWrap: past the count its references can hold, the
// grouping stops with an error instead of wrapping them, for accounts,
// distinct SPNs and further holders alike.
func TestSPNGroupsRefuseToWrap(t *testing.T) {
	entry := func(i int, spns ...string) actions.Entry {
		return account(fmt.Sprintf("WS%03d", i), spns...)
	}
	tests := []struct {
		name string
		page []actions.Entry
	}{
		// The same account seen four times holds one SPN once.
		{"accounts", []actions.Entry{entry(1, "A/1"), entry(1, "A/1"), entry(1, "a/1"), entry(1, "A/1")}},
		{"distinct SPNs", []actions.Entry{entry(1, "A/1", "A/2", "A/3", "A/4")}},
		{"further holders", []actions.Entry{entry(1, "A/1", "A/2"), entry(2, "a/1", "a/2"), entry(3, "A/1", "A/2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newSPNGroups()
			g.maxCount = 3
			if err := g.addEntries(tt.page); !errors.Is(err, errSPNScanTooLarge) {
				t.Errorf("error %v, want %v", err, errSPNScanTooLarge)
			}
			if err := newSPNGroups().addEntries(tt.page); err != nil {
				t.Errorf("within the bound: %v", err)
			}
		})
	}
}
