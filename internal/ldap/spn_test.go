package ldap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

// memoryDirectory is an actions.Directory over a slice of entries that
// understands the filters the SPN helpers send, and records them.
type memoryDirectory struct {
	entries  []actions.Entry
	searches []actions.SearchRequest
}

func (m *memoryDirectory) Search(_ context.Context, req actions.SearchRequest) ([]actions.Entry, error) {
	if _, err := RenderFilter(req.Filter); err != nil {
		return nil, err
	}
	m.searches = append(m.searches, req)
	var out []actions.Entry
	for _, e := range m.entries {
		if matches(req.Filter, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memoryDirectory) Modify(context.Context, actions.ModifyRequest) error { return nil }

func (m *memoryDirectory) RootDSE(context.Context) (actions.Entry, error) {
	return actions.Entry{}, nil
}

func matches(f actions.Filter, e actions.Entry) bool {
	switch f := f.(type) {
	case actions.Or:
		for _, g := range f {
			if matches(g, e) {
				return true
			}
		}
		return false
	case actions.And:
		for _, g := range f {
			if !matches(g, e) {
				return false
			}
		}
		return true
	case actions.Equal:
		for _, v := range e.Values(f.Attribute) {
			if strings.EqualFold(v, f.Value) {
				return true
			}
		}
		return f.Attribute == "objectCategory" && f.Value == "computer"
	case actions.Present:
		return len(e.Values(f.Attribute)) > 0
	}
	panic(fmt.Sprintf("filter %T", f))
}

func account(name string, spns ...string) actions.Entry {
	return actions.Entry{
		DN: "CN=" + name + ",CN=Computers,DC=corp,DC=example,DC=com",
		Attributes: map[string][]string{
			"sAMAccountName":       {name + "$"},
			"dNSHostName":          {strings.ToLower(name) + ".corp.example.com"},
			"servicePrincipalName": spns,
		},
	}
}

func TestHoldersBatchesAndFolds(t *testing.T) {
	dir := &memoryDirectory{entries: []actions.Entry{
		account("EX01", "SMTP/EX01", "smtpsvc/ex01.corp.example.com"),
		account("STALE", "SMTPSVC/EX01.CORP.EXAMPLE.COM", "HOST/STALE"),
		account("OTHER", "HTTP/other"),
	}}
	var spns []string
	for i := range 1500 {
		spns = append(spns, fmt.Sprintf("SMTPSVC/host%04d.corp.example.com", i))
	}
	spns = append(spns, KBSPNs("EX01", "ex01.corp.example.com", nil)...)
	spns = append(spns, "smtp/ex01") // a case variant of one asked already
	got, err := Holders(context.Background(), dir, spns)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Holder{
		"SMTP/EX01": {{DN: dir.entries[0].DN, SAMAccountName: "EX01$", DNSHostName: "ex01.corp.example.com", SPN: "SMTP/EX01"}},
		"SMTPSVC/ex01.corp.example.com": {
			{DN: dir.entries[0].DN, SAMAccountName: "EX01$", DNSHostName: "ex01.corp.example.com", SPN: "smtpsvc/ex01.corp.example.com"},
			{DN: dir.entries[1].DN, SAMAccountName: "STALE$", DNSHostName: "stale.corp.example.com", SPN: "SMTPSVC/EX01.CORP.EXAMPLE.COM"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Holders (-want +got):\n%s", diff)
	}
	wantBatches := len(batchEqual(attrSPN, spns[:len(spns)-1], maxFilterBytes))
	if len(dir.searches) != wantBatches || wantBatches < 2 {
		t.Errorf("%d searches, want %d batches (and more than one for 1,504 SPNs)", len(dir.searches), wantBatches)
	}
	for _, s := range dir.searches {
		if !s.GlobalCatalog || s.Base != "" {
			t.Errorf("search %+v is not a forest-wide Global Catalog search", s)
		}
	}
}

func TestDuplicateScanWithoutPager(t *testing.T) {
	dir := &memoryDirectory{entries: []actions.Entry{
		account("EX01", "SMTPSVC/ex01.corp.example.com", "HOST/EX01"),
		account("STALE", "smtpsvc/EX01.corp.example.com"),
		account("THIRD", "SMTPSVC/ex01.corp.example.com", "HOST/ex01"),
		account("SELF", "HTTP/self", "http/SELF"), // case variants on one account are not duplicates
	}}
	var got []Duplicate
	if err := DuplicateScan(context.Background(), dir, 0, func(d Duplicate) { got = append(got, d) }); err != nil {
		t.Fatal(err)
	}
	h := func(i int, spn string) Holder {
		e := dir.entries[i]
		return Holder{DN: e.DN, SAMAccountName: e.Get("sAMAccountName"), DNSHostName: e.Get("dNSHostName"), SPN: spn}
	}
	want := []Duplicate{
		{SPN: "HOST/EX01", Holders: []Holder{h(0, "HOST/EX01"), h(2, "HOST/ex01")}},
		{SPN: "SMTPSVC/ex01.corp.example.com", Holders: []Holder{h(0, "SMTPSVC/ex01.corp.example.com"), h(1, "smtpsvc/EX01.corp.example.com"), h(2, "SMTPSVC/ex01.corp.example.com")}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DuplicateScan (-want +got):\n%s", diff)
	}
	if s := dir.searches[0]; !s.GlobalCatalog || s.Filter != (actions.Present{Attribute: attrSPN}) {
		t.Errorf("scan search %+v, want a Global Catalog (servicePrincipalName=*)", s)
	}
}

func TestFindComputerAmbiguity(t *testing.T) {
	dir := &memoryDirectory{entries: []actions.Entry{account("EX01"), account("EX01OLD")}}
	dir.entries[1].Attributes["dNSHostName"] = []string{"ex01.corp.example.com"}
	c, found, err := FindComputer(context.Background(), dir, "ex01", "ex01.corp.example.com")
	if err != nil || !found || c.SAMAccountName != "EX01$" {
		t.Errorf("FindComputer = %+v, %v, %v; want EX01$ (the sAMAccountName match)", c, found, err)
	}
	dir.entries[1].Attributes["sAMAccountName"] = []string{"EX01$"}
	if _, _, err := FindComputer(context.Background(), dir, "EX01", ""); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("two accounts named EX01$: err = %v, want ErrAmbiguous", err)
	}
	if _, _, err := FindComputer(context.Background(), dir, "", ""); err == nil {
		t.Error("FindComputer without a name succeeded")
	}
}
