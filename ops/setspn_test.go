package ops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSetSPN(t *testing.T) {
	const (
		domain  = "DC=corp,DC=example,DC=com"
		ex01    = "CN=EX01,CN=Computers,DC=corp,DC=example,DC=com"
		svcMail = "CN=svc-mail,CN=Users,DC=corp,DC=example,DC=com"
	)
	empty := func(r SetSPNResult) SetSPNResult {
		if r.Checked == nil {
			r.Checked = []string{}
		}
		if r.Accounts == nil {
			r.Accounts = []SPNAccount{}
		}
		if r.Duplicates == nil {
			r.Duplicates = []SPNDuplicate{}
		}
		if r.Other == nil {
			r.Other = []string{}
		}
		return r
	}
	tests := []struct {
		fixture string
		want    SetSPNResult
		wantErr bool // output that holds no setspn listing at all
	}{
		{"setspn/list_unverified.txt", empty(SetSPNResult{
			Accounts: []SPNAccount{{DN: ex01, SPNs: []string{
				"SMTPSVC/ex01.corp.example.com", "SMTPSVC/EX01", "SMTP/ex01.corp.example.com", "SMTP/EX01",
				"HOST/ex01.corp.example.com", "HOST/EX01",
			}}},
			DuplicateGroups: -1,
		}), false},
		{"setspn/list_empty_unverified.txt", empty(SetSPNResult{
			Accounts:        []SPNAccount{{DN: "CN=EX02,OU=Exchange Servers,DC=corp,DC=example,DC=com", SPNs: []string{}}},
			DuplicateGroups: -1,
		}), false},
		{"setspn/list_missing_account_unverified.txt", SetSPNResult{}, true},
		{"setspn/query_found_unverified.txt", empty(SetSPNResult{
			Checked: []string{domain},
			Accounts: []SPNAccount{
				{DN: ex01, SPNs: []string{"SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com", "HOST/EX01"}},
				{DN: svcMail, SPNs: []string{"SMTPSVC/EX01"}},
			},
			Found:           true,
			DuplicateGroups: -1,
		}), false},
		{"setspn/query_not_found_unverified.txt", empty(SetSPNResult{
			Checked:         []string{domain},
			DuplicateGroups: -1,
		}), false},
		{"setspn/duplicates_unverified.txt", empty(SetSPNResult{
			Checked:         []string{domain},
			Duplicates:      []SPNDuplicate{{SPN: "SMTP/ex01", Accounts: []string{ex01, svcMail}}},
			DuplicateGroups: 1,
		}), false},
		{"setspn/duplicates_none_unverified.txt", empty(SetSPNResult{
			Checked:         []string{domain},
			DuplicateGroups: 0,
		}), false},
	}
	for _, tt := range tests {
		text := readFixture(t, tt.fixture)
		for _, variant := range []struct{ name, text string }{{"lf", text}, {"crlf", withCRLF(text)}} {
			t.Run(filepath.Base(tt.fixture)+"/"+variant.name, func(t *testing.T) {
				got, err := ParseSetSPN(variant.text)
				if tt.wantErr {
					var fe *FormatError
					if !errors.As(err, &fe) {
						t.Fatalf("got %+v, %v; want a *FormatError", got, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestParseSetSPNKeepsUnknownLines(t *testing.T) {
	got, err := ParseSetSPN("Checking domain DC=corp,DC=example,DC=com\nLdap Error(0x51 -- Server Down): ldap_search_s\n")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Ldap Error(0x51 -- Server Down): ldap_search_s"}, got.Other); diff != "" {
		t.Errorf("other lines (-want +got):\n%s", diff)
	}
}

func FuzzParseSetSPN(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "setspn"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "setspn", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		res, err := ParseSetSPN(text)
		if err != nil {
			return
		}
		for _, a := range res.Accounts {
			if a.DN == "" {
				t.Errorf("account without a DN: %+v", res)
			}
		}
	})
}
