package directory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testRoot = "DC=corp,DC=example,DC=com"

func newTestDirectory(t testing.TB) *Directory {
	t.Helper()
	d, err := New(testRoot)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustComputer(t testing.TB, d *Directory, c Computer) string {
	t.Helper()
	dn, err := d.AddComputer(c)
	if err != nil {
		t.Fatal(err)
	}
	return dn
}

func TestNewHasSkeleton(t *testing.T) {
	d := newTestDirectory(t)
	for _, dn := range []string{testRoot, "CN=Computers," + testRoot, "OU=Domain Controllers," + testRoot,
		"CN=Configuration," + testRoot, "CN=Sites,CN=Configuration," + testRoot,
		"CN=Services,CN=Configuration," + testRoot, "CN=Computer,CN=Schema,CN=Configuration," + testRoot} {
		if _, err := d.Get(dn); err != nil {
			t.Errorf("Get(%s): %v", dn, err)
		}
	}
	if _, err := New("not a dn"); err == nil {
		t.Error("New accepted a bad forest root")
	}
}

func TestAddComputer(t *testing.T) {
	d := newTestDirectory(t)
	dn := mustComputer(t, d, Computer{Name: "EX01"})
	e, err := d.Get(strings.ToLower(dn))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"sAMAccountName":       {"EX01$"},
		"dNSHostName":          {"ex01.corp.example.com"},
		"userAccountControl":   {"4096"},
		"objectCategory":       {"CN=Computer,CN=Schema,CN=Configuration," + testRoot},
		"servicePrincipalName": {"HOST/EX01", "HOST/ex01.corp.example.com", "RestrictedKrbHost/EX01", "RestrictedKrbHost/ex01.corp.example.com"},
		"distinguishedName":    {"CN=EX01,CN=Computers," + testRoot},
	}
	for name, values := range want {
		if diff := cmp.Diff(values, e.Values(name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	dcDN := mustComputer(t, d, Computer{Name: "DC01", DomainController: true, Site: "HQ"})
	if dcDN != "CN=DC01,OU=Domain Controllers,"+testRoot {
		t.Errorf("DC DN = %s", dcDN)
	}
	dc, _ := d.Get(dcDN)
	if got := dc.Get("userAccountControl"); got != "532480" {
		t.Errorf("DC userAccountControl = %s", got)
	}
	server, err := d.Get("CN=DC01,CN=Servers,CN=HQ,CN=Sites,CN=Configuration," + testRoot)
	if err != nil {
		t.Fatal(err)
	}
	if got := server.Get("serverReference"); got != dcDN {
		t.Errorf("serverReference = %s", got)
	}
	if _, err := d.AddComputer(Computer{Name: "EX01"}); CodeOf(err) != EntryAlreadyExists {
		t.Errorf("second EX01: %v, want entryAlreadyExists", err)
	}
}

func TestAddRefusals(t *testing.T) {
	d := newTestDirectory(t)
	tests := []struct {
		name  string
		entry Entry
		code  ResultCode
	}{
		{"no parent", Entry{DN: "CN=x,OU=Nowhere," + testRoot, Attributes: map[string][]string{"objectClass": {"top"}}}, NoSuchObject},
		{"no objectClass", Entry{DN: "CN=x," + testRoot, Attributes: map[string][]string{"cn": {"x"}}}, ObjectClassViolation},
		{"bad integer", Entry{DN: "CN=x," + testRoot, Attributes: map[string][]string{"objectClass": {"top"}, "userAccountControl": {"lots"}}}, InvalidAttributeSyntax},
		{"bad dn", Entry{DN: "CN", Attributes: map[string][]string{"objectClass": {"top"}}}, InvalidDNSyntax},
		{"duplicate value", Entry{DN: "CN=x," + testRoot, Attributes: map[string][]string{"objectClass": {"top"}, "servicePrincipalName": {"a/b", "A/B"}}}, AttributeOrValueExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.Add(tt.entry)
			if CodeOf(err) != tt.code {
				t.Fatalf("Add: %v, want %s", err, tt.code)
			}
		})
	}
	err := d.Add(Entry{DN: "CN=x,OU=Nowhere," + testRoot, Attributes: map[string][]string{"objectClass": {"top"}}})
	var de *Error
	if !errors.As(err, &de) || de.MatchedDN != testRoot {
		t.Errorf("noSuchObject matched DN = %+v, want %s", de, testRoot)
	}
}

func TestModify(t *testing.T) {
	const spnAttr = "servicePrincipalName"
	tests := []struct {
		name    string
		changes []Change
		code    ResultCode
		message string // required prefix of the diagnostic
		want    []string
	}{
		{"add missing", []Change{{ChangeAdd, spnAttr, []string{"SMTP/EX01", "SMTPSVC/EX01"}}}, Success, "",
			[]string{"HOST/EX01", "SMTP/EX01", "SMTPSVC/EX01"}},
		{"add present in another case", []Change{{ChangeAdd, spnAttr, []string{"SMTP/EX01", "host/ex01"}}}, AttributeOrValueExists, "00002083:",
			[]string{"HOST/EX01"}},
		{"add held by another account", []Change{{ChangeAdd, spnAttr, []string{"SMTP/EX01", "smtpsvc/EX02"}}}, ConstraintViolation, "000021C7:",
			[]string{"HOST/EX01"}},
		{"add twice in one request", []Change{{ChangeAdd, spnAttr, []string{"SMTP/EX01", "smtp/ex01"}}}, AttributeOrValueExists, "00002083:",
			[]string{"HOST/EX01"}},
		{"second change fails", []Change{{ChangeAdd, spnAttr, []string{"SMTP/EX01"}}, {ChangeDelete, spnAttr, []string{"nope/EX01"}}}, NoSuchAttribute, "00002080:",
			[]string{"HOST/EX01"}},
		{"delete value any case", []Change{{ChangeDelete, spnAttr, []string{"host/ex01"}}}, Success, "", nil},
		{"delete absent attribute", []Change{{ChangeDelete, "description", nil}}, NoSuchAttribute, "00002080:", []string{"HOST/EX01"}},
		{"replace", []Change{{ChangeReplace, spnAttr, []string{"A/1", "B/2"}}}, Success, "", []string{"A/1", "B/2"}},
		{"replace with a held value", []Change{{ChangeReplace, spnAttr, []string{"A/1", "SMTPSVC/ex02"}}}, ConstraintViolation, "000021C7:",
			[]string{"HOST/EX01"}},
		{"replace empty clears", []Change{{ChangeReplace, spnAttr, nil}}, Success, "", nil},
		{"computed attribute", []Change{{ChangeReplace, "uSNChanged", []string{"1"}}}, UnwillingToPerform, "", []string{"HOST/EX01"}},
		{"bad integer", []Change{{ChangeReplace, "userAccountControl", []string{"x"}}}, InvalidAttributeSyntax, "", []string{"HOST/EX01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDirectory(t)
			ex01 := mustComputer(t, d, Computer{Name: "EX01", SPNs: []string{"HOST/EX01"}})
			mustComputer(t, d, Computer{Name: "EX02", SPNs: []string{"SMTPSVC/EX02"}})
			before := d.Version()
			err := d.Modify(ex01, tt.changes)
			if got := CodeOf(err); got != tt.code {
				t.Fatalf("Modify: %v, want %s", err, tt.code)
			}
			var de *Error
			if tt.message != "" && (!errors.As(err, &de) || !strings.HasPrefix(de.Message, tt.message)) {
				t.Errorf("diagnostic = %q, want prefix %q", de.Message, tt.message)
			}
			e, _ := d.Get(ex01)
			if diff := cmp.Diff(tt.want, e.Values(spnAttr)); diff != "" {
				t.Errorf("SPNs after Modify (-want +got):\n%s", diff)
			}
			if changed := d.Version() != before; changed != (tt.code == Success) {
				t.Errorf("version moved = %v for result %s", changed, tt.code)
			}
			// The index follows the stored values.
			for _, spn := range tt.want {
				got, err := d.Search(testRoot, ScopeSubtree, Equal(spnAttr, strings.ToUpper(spn)))
				if err != nil || len(got) != 1 || got[0].DN != ex01 {
					t.Errorf("search %s after Modify: %v, %v", spn, got, err)
				}
			}
		})
	}
}

func TestSPNErrorText(t *testing.T) {
	d := newTestDirectory(t)
	mustComputer(t, d, Computer{Name: "EX01", SPNs: []string{"SMTPSVC/ex01"}})
	ex02 := mustComputer(t, d, Computer{Name: "EX02", SPNs: []string{}})
	err := d.Modify(ex02, []Change{{ChangeAdd, "servicePrincipalName", []string{"SMTPSVC/EX01"}}})
	want := &Error{Code: ConstraintViolation, Message: "000021C7: AtrErr: DSID-03200BBA, #1:\n\t0: 000021C7: DSID-03200BBA, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 90303 (servicePrincipalName)\n"}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestSeedDuplicates(t *testing.T) {
	d := newTestDirectory(t)
	ex01 := mustComputer(t, d, Computer{Name: "EX01", SPNs: []string{"SMTPSVC/ex01.corp.example.com"}})
	if _, err := d.AddComputer(Computer{Name: "EX01-OLD", SPNs: []string{"smtpsvc/EX01.corp.example.com"}}); CodeOf(err) != ConstraintViolation {
		t.Fatalf("originating add of a held SPN: %v, want constraintViolation", err)
	}
	stale := mustComputer(t, d, Computer{Name: "EX01-OLD", SPNs: []string{"smtpsvc/EX01.corp.example.com"}, Replicated: true})
	other := mustComputer(t, d, Computer{Name: "EX03", SPNs: []string{}})
	if err := d.SeedAttribute(other, "servicePrincipalName", "SMTPSVC/ex01.corp.example.com", "HOST/EX03"); err != nil {
		t.Fatal(err)
	}
	if err := d.SeedAttribute(other, "servicePrincipalName", "host/ex03"); err != nil {
		t.Fatalf("seeding a present value: %v", err)
	}
	got, err := d.Search("", ScopeSubtree, Equal("servicePrincipalName", "SMTPSVC/EX01.CORP.EXAMPLE.COM"))
	if CodeOf(err) != NoSuchObject {
		t.Errorf("subtree search from the empty base without GC: %v", err)
	}
	page, err := d.SearchPage(Query{Scope: ScopeSubtree, Filter: Equal("servicePrincipalName", "SMTPSVC/EX01.CORP.EXAMPLE.COM"), GlobalCatalog: true}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got = page.Entries
	var dns []string
	for _, e := range got {
		dns = append(dns, e.DN)
	}
	if diff := cmp.Diff([]string{ex01, stale, other}, dns); diff != "" {
		t.Errorf("holders (-want +got):\n%s", diff)
	}
	// Removing the duplicate from the stale account is a normal write.
	if err := d.Modify(stale, []Change{{ChangeDelete, "servicePrincipalName", []string{"SMTPSVC/ex01.corp.example.com"}}}); err != nil {
		t.Fatal(err)
	}
}

func TestSearchScopes(t *testing.T) {
	d := newTestDirectory(t)
	ex01 := mustComputer(t, d, Computer{Name: "EX01"})
	dc01 := mustComputer(t, d, Computer{Name: "DC01", DomainController: true, Site: "HQ"})
	exch, err := d.AddExchangeServer(ExchangeServer{Name: "EX01", Site: "HQ"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		query Query
		want  []string
	}{
		{"computers in domain", Query{Base: testRoot, Scope: ScopeSubtree, Filter: Equal("objectCategory", "computer")}, []string{ex01, dc01}},
		{"one level", Query{Base: "CN=Computers," + testRoot, Scope: ScopeOne, Filter: Present("objectClass")}, []string{ex01}},
		{"base", Query{Base: ex01, Scope: ScopeBase, Filter: Present("objectClass")}, []string{ex01}},
		{"base not matching", Query{Base: ex01, Scope: ScopeBase, Filter: Equal("cn", "nope")}, nil},
		{"dcs by bit", Query{Base: testRoot, Scope: ScopeSubtree, Filter: Extensible("userAccountControl", MatchBitAnd, "8192")}, []string{dc01}},
		{"exchange servers stay in configuration", Query{Base: testRoot, Scope: ScopeSubtree, Filter: Equal("objectClass", "msExchExchangeServer")}, nil},
		{"exchange servers", Query{Base: "CN=Configuration," + testRoot, Scope: ScopeSubtree, Filter: Equal("objectClass", "msExchExchangeServer")}, []string{exch}},
		{"global catalog spans", Query{Scope: ScopeSubtree, GlobalCatalog: true, Filter: Equal("cn", "ex01")}, []string{ex01, exch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := d.SearchPage(tt.query, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range page.Entries {
				got = append(got, e.DN)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DNs (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := d.Search("OU=Nowhere,"+testRoot, ScopeSubtree, Present("objectClass")); CodeOf(err) != NoSuchObject {
		t.Errorf("search under a missing base: %v", err)
	}
	e, _ := d.Get(exch)
	if got, want := e.Get("msExchServerSite"), "CN=HQ,CN=Sites,CN=Configuration,"+testRoot; got != want {
		t.Errorf("msExchServerSite = %s, want %s", got, want)
	}
}

func TestSearchPageCursor(t *testing.T) {
	d := newTestDirectory(t)
	var want []string
	for i := range 25 {
		want = append(want, mustComputer(t, d, Computer{Name: fmt.Sprintf("WS%03d", i)}))
	}
	for _, filter := range []Filter{Present("servicePrincipalName"), Or(Equal("sAMAccountName", "ws003$"), Equal("sAMAccountName", "WS020$"), Equal("sAMAccountName", "ws011$"))} {
		q := Query{Base: testRoot, Scope: ScopeSubtree, Filter: filter, Attributes: []string{"sAMAccountName"}}
		var got []string
		var cursor Cursor
		pages := 0
		for {
			page, err := d.SearchPage(q, cursor, 10)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range page.Entries {
				got = append(got, e.DN)
				if len(e.Attributes) != 1 {
					t.Errorf("attributes %v, want only sAMAccountName", e.AttributeNames())
				}
			}
			if !page.More {
				break
			}
			cursor = page.Next
			// A write between pages does not disturb the cursor.
			if err := d.Delete(got[len(got)-1]); err != nil {
				t.Fatal(err)
			}
		}
		sort.Strings(got)
		expect := want
		if filter.Kind == FilterOr {
			expect = []string{want[3], want[11], want[20]}
		}
		if diff := cmp.Diff(expect, got); diff != "" {
			t.Errorf("%s in %d pages (-want +got):\n%s", filter, pages, diff)
		}
		if filter.Kind == FilterAnd || filter.Kind == FilterPresent {
			if pages != 3 {
				t.Errorf("pages = %d, want 3", pages)
			}
		}
		d = newTestDirectory(t)
		want = want[:0]
		for i := range 25 {
			want = append(want, mustComputer(t, d, Computer{Name: fmt.Sprintf("WS%03d", i)}))
		}
	}
}

func TestDeleteAndChanges(t *testing.T) {
	d := newTestDirectory(t)
	if err := d.Delete("CN=Computers," + testRoot); err != nil {
		t.Errorf("deleting an empty container: %v", err)
	}
	dc := mustComputer(t, d, Computer{Name: "DC01", DomainController: true, Site: "HQ"})
	if err := d.Delete("CN=HQ,CN=Sites,CN=Configuration," + testRoot); CodeOf(err) != NotAllowedOnNonLeaf {
		t.Errorf("deleting a site with servers: %v", err)
	}
	mark := d.Version()
	count := d.Count()
	if err := d.Modify(dc, []Change{{ChangeReplace, "description", []string{"primary"}}}); err != nil {
		t.Fatal(err)
	}
	changed := d.ChangedSince(mark)
	if len(changed) != 1 || changed[0].DN != dc {
		t.Errorf("ChangedSince = %v", changed)
	}
	if err := d.Delete(dc); err != nil {
		t.Fatal(err)
	}
	if d.Count() != count-1 {
		t.Errorf("Count = %d, want %d", d.Count(), count-1)
	}
	if _, err := d.Get(dc); CodeOf(err) != NoSuchObject {
		t.Errorf("Get after Delete: %v", err)
	}
	if got, _ := d.Search(testRoot, ScopeSubtree, Equal("sAMAccountName", "DC01$")); len(got) != 0 {
		t.Errorf("index still finds a deleted entry: %v", got)
	}
}

func TestSingleValued(t *testing.T) {
	d := newTestDirectory(t)
	ex01 := mustComputer(t, d, Computer{Name: "EX01"})
	for _, c := range []Change{
		{ChangeAdd, "dNSHostName", []string{"other.corp.example.com"}},
		{ChangeReplace, "userAccountControl", []string{"4096", "2"}},
	} {
		err := d.Modify(ex01, []Change{c})
		var de *Error
		if !errors.As(err, &de) || de.Code != ConstraintViolation || !strings.HasPrefix(de.Message, "00002082:") {
			t.Errorf("%v %s: %v, want constraintViolation 00002082", c.Op, c.Attribute, err)
		}
	}
	if err := d.Modify(ex01, []Change{{ChangeReplace, "dNSHostName", []string{"ex01.corp.example.com"}}}); err != nil {
		t.Errorf("replacing a single value: %v", err)
	}
}

func TestCompare(t *testing.T) {
	d := newTestDirectory(t)
	ex01 := mustComputer(t, d, Computer{Name: "EX01", SPNs: []string{"SMTP/EX01"}})
	tests := []struct {
		attr, value string
		want        bool
		code        ResultCode
	}{
		{"servicePrincipalName", "smtp/ex01", true, Success},
		{"servicePrincipalName", "smtp/ex02", false, Success},
		{"userAccountControl", "04096", true, Success},
		{"description", "x", false, NoSuchAttribute},
	}
	for _, tt := range tests {
		got, err := d.Compare(ex01, tt.attr, tt.value)
		if got != tt.want || CodeOf(err) != tt.code {
			t.Errorf("Compare(%s=%s) = %v, %v; want %v, %s", tt.attr, tt.value, got, err, tt.want, tt.code)
		}
	}
	if _, err := d.Compare("CN=Gone,"+testRoot, "cn", "x"); CodeOf(err) != NoSuchObject {
		t.Errorf("Compare on a missing entry: %v", err)
	}
}

func TestEscapedNames(t *testing.T) {
	d := newTestDirectory(t)
	ou := `OU=Sales\, Europe,` + testRoot
	if err := d.Add(Entry{DN: ou, Attributes: map[string][]string{"objectClass": {"top", "organizationalUnit"}, "ou": {"Sales, Europe"}}}); err != nil {
		t.Fatal(err)
	}
	dn, err := d.AddComputer(Computer{Name: "EX#1+A", Parent: `ou=sales\2C europe,dc=CORP,dc=example,dc=com`})
	if err != nil {
		t.Fatal(err)
	}
	for _, spelling := range []string{dn, `CN=EX\231\+A,OU=Sales\, Europe,DC=corp,DC=example,DC=com`, `cn=ex#1\2ba, ou=SALES\2c EUROPE, dc=corp,dc=example,dc=com`} {
		if _, err := d.Get(spelling); err != nil {
			t.Errorf("Get(%s): %v", spelling, err)
		}
	}
	got, err := d.Search(`OU=Sales\2C Europe,`+testRoot, ScopeOne, Present("objectClass"))
	if err != nil || len(got) != 1 || got[0].DN != dn {
		t.Errorf("one-level under the escaped OU: %v, %v", got, err)
	}
	// The comma inside the OU's name is not a separator: nothing lives
	// under a "Europe" parent.
	if _, err := d.Search("OU=Sales,"+testRoot, ScopeSubtree, Present("objectClass")); CodeOf(err) != NoSuchObject {
		t.Errorf("search under OU=Sales: %v", err)
	}
}
