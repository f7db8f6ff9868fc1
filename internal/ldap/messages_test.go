package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
)

// oddAccounts are the entries of a hostileServer in modeOddEntries:
// accounts holding SPNs in every shape a server may send them, several
// held twice across pages.
var oddAccounts = []struct {
	dn    string
	attrs [][]string
}{
	{"CN=EX01,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"sAMAccountName", "EX01$"}, {"dNSHostName", "ex01.corp.example.com"},
		{"servicePrincipalName", "SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com", "HOST/EX01"}}},
	// Types in other cases, only.
	{"CN=STALE,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"SAMACCOUNTNAME", "STALE$"}, {"dnshostname", "stale.corp.example.com"},
		{"SERVICEPRINCIPALNAME", "smtpsvc/EX01", "HOST/stale"}}},
	// The exact type wins over one in another case, wherever it comes.
	{"CN=BOTH,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"ServicePrincipalName", "SMTPSVC/ex01.corp.example.com"},
		{"servicePrincipalName", "HOST/both"}, {"sAMAccountName", "BOTH$"}, {"SERVICEPRINCIPALNAME", "HOST/EX01"}}},
	{"CN=FIRST,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"servicePrincipalName", "HOST/first"}, {"SERVICEPRINCIPALNAME", "HOST/EX01"}, {"sAMAccountName", "FIRST$"}}},
	// Values split over the same type given twice, an empty value, no
	// dNSHostName.
	{"CN=SPLIT,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"servicePrincipalName", "HOST/split"}, {"sAMAccountName", "SPLIT$"},
		{"servicePrincipalName", "", "HOST/STALE"}}},
	// A ranged type (AD's answer for a long multi-valued attribute) is not
	// the attribute: nothing reads it as SPNs.
	{"CN=RANGED,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"sAMAccountName", "RANGED$"}, {"servicePrincipalName;range=0-1499", "HOST/EX01", "HOST/ranged"}}},
	// The same account seen twice, its DN in another case; an empty value
	// held by another account; an SPN past ASCII in two cases.
	{"cn=ex01,cn=computers,dc=corp,dc=example,dc=com", [][]string{
		{"servicePrincipalName", "HOST/ex01", "HTTP/ÉCOLE"}, {"sAMAccountName", "EX01$"}}},
	{"CN=EMPTY,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"servicePrincipalName", ""}, {"sAMAccountName"}, {"dNSHostName", "", "second.corp.example.com"}}},
	{"CN=ECOLE,CN=Computers,DC=corp,DC=example,DC=com", [][]string{
		{"servicePrincipalName", "http/école"}}},
	// No SPN at all, a type without values, no attributes.
	{"CN=NONE,CN=Computers,DC=corp,DC=example,DC=com", [][]string{{"sAMAccountName", "NONE$"}, {"servicePrincipalName"}}},
	{"CN=BARE,CN=Computers,DC=corp,DC=example,DC=com", nil},
}

// TestScanReadsWhatTheLibraryDecodes: over the same packets from a server
// on a real socket, the duplicate scan that reads the entry messages
// itself finds exactly what it finds over the entries go-ldap decodes,
// and Search decodes every entry as go-ldap does.
func TestScanReadsWhatTheLibraryDecodes(t *testing.T) {
	srv := startHostile(t, modeOddEntries, false)
	d, err := New(Config{URL: srv.url(), GCURL: srv.url(), CAFile: srv.caFile, ServerName: "dc-hostile.corp.example.com",
		BindUser: "svc@corp.example.com", Password: secret.New("x"), BaseDN: "DC=corp,DC=example,DC=com", Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()

	// go-ldap's own decoding of the same answer.
	pem, err := os.ReadFile(srv.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := goldap.DialURL(srv.url(), goldap.DialWithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "dc-hostile.corp.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := conn.SearchWithPaging(goldap.NewSearchRequest("", goldap.ScopeWholeSubtree, goldap.NeverDerefAliases, 0, 0, false,
		"(servicePrincipalName=*)", []string{attrSAM, attrDNSHost, attrSPN}, nil), 3)
	if err != nil {
		t.Fatal(err)
	}
	library := convertEntries(res.Entries, convertEntry)
	if len(library) != len(oddAccounts) {
		t.Fatalf("go-ldap read %d entries, want %d", len(library), len(oddAccounts))
	}

	var want []Duplicate
	if err := DuplicateScan(ctx, &memoryDirectory{entries: library}, 3, func(dup Duplicate) { want = append(want, dup) }); err != nil {
		t.Fatal(err)
	}
	if len(want) < 4 {
		t.Fatalf("the odd accounts make %d duplicates, want at least 4 to compare: %+v", len(want), want)
	}
	var got []Duplicate
	if err := DuplicateScan(ctx, d, 3, func(dup Duplicate) { got = append(got, dup) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicates read from the messages (-go-ldap +scan):\n%s", diff)
	}

	decoded, err := d.Search(ctx, actions.SearchRequest{GlobalCatalog: true, Scope: actions.ScopeSubtree,
		Filter: actions.Present{Attribute: attrSPN}, PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(library, decoded); diff != "" {
		t.Errorf("entries decoded (-go-ldap +decodeEntry):\n%s", diff)
	}
}

// TestEncodeEntryRoundTrips: an entry the library decoded, encoded back,
// decodes to the same entry.
func TestEncodeEntryRoundTrips(t *testing.T) {
	for _, a := range oddAccounts {
		e := &goldap.Entry{DN: a.dn}
		for _, attr := range a.attrs {
			e.Attributes = append(e.Attributes, &goldap.EntryAttribute{Name: attr[0], Values: attr[1:]})
		}
		got, err := decodeEntry(encodeEntry(e))
		if err != nil {
			t.Fatalf("%s: %v", a.dn, err)
		}
		if diff := cmp.Diff(convertEntry(e), got); diff != "" {
			t.Errorf("%s (-library +round trip):\n%s", a.dn, diff)
		}
	}
}
