package ops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseShowReplCSV(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	info := "showrepl_INFO"
	tests := []struct {
		fixture string
		want    []ReplLink
	}{
		{"repadmin/showrepl_healthy_unverified.csv", []ReplLink{
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC01", NamingContext: "DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC02", Transport: "RPC", LastFailureText: "0",
				LastSuccessText: "2026-11-27 08:20:11", LastSuccess: at("2026-11-27 08:20:11")},
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC01", NamingContext: "CN=Configuration,DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC02", Transport: "RPC", LastFailureText: "0",
				LastSuccessText: "2026-11-27 08:19:58", LastSuccess: at("2026-11-27 08:19:58")},
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC02", NamingContext: "DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC01", Transport: "RPC", LastFailureText: "0",
				LastSuccessText: "2026-11-27 08:20:03", LastSuccess: at("2026-11-27 08:20:03")},
		}},
		{"repadmin/showrepl_failures_unverified.csv", []ReplLink{
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC01", NamingContext: "DC=corp,DC=example,DC=com",
				SourceSite: "Branch", SourceDSA: "DC03", Transport: "RPC", Failures: 17,
				LastFailureText: "2026-11-27 08:15:02", LastFailure: at("2026-11-27 08:15:02"),
				LastSuccessText: "2026-11-26 22:40:31", LastSuccess: at("2026-11-26 22:40:31"), Status: 1722},
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC01", NamingContext: "DC=ForestDnsZones,DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC02", Transport: "RPC", LastFailureText: "0",
				LastSuccessText: "2026-11-27 08:19:58", LastSuccess: at("2026-11-27 08:19:58")},
			{Row: "showrepl_ERROR", DestinationSite: "Branch", DestinationDSA: "DC03", Message: "LDAP error 81 (Server Down) Win32 Err 58."},
		}},
		{"repadmin/showrepl_columns_reordered_unverified.csv", []ReplLink{
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC01", NamingContext: "DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC02", Transport: "RPC", Failures: 1,
				LastFailureText: "27.11.2026 08:15:02", LastFailure: at("2026-11-27 08:15:02"),
				LastSuccessText: "27.11.2026 08:20:11", LastSuccess: at("2026-11-27 08:20:11"), Status: 8453},
		}},
		// Column names in Japanese: read by position.
		{"repadmin/showrepl_ja_unverified.csv", []ReplLink{
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC02", NamingContext: "DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC01", Transport: "RPC", Failures: 5,
				LastFailureText: "2026/11/27 8:15:02", LastFailure: at("2026-11-27 08:15:02"),
				LastSuccessText: "2026/11/27 5:20:11", LastSuccess: at("2026-11-27 05:20:11"), Status: 1722},
			{Row: info, DestinationSite: "HQ", DestinationDSA: "DC02", NamingContext: "CN=Configuration,DC=corp,DC=example,DC=com",
				SourceSite: "HQ", SourceDSA: "DC01", Transport: "RPC", LastFailureText: "0",
				LastSuccessText: "2026/11/27 8:19:58", LastSuccess: at("2026-11-27 08:19:58")},
		}},
		// An error row whose message holds commas that repadmin did not quote.
		{"repadmin/showrepl_error_unquoted_unverified.csv", []ReplLink{
			{Row: "showrepl_ERROR", DestinationSite: "HQ", DestinationDSA: "DC02", Message: "LDAP error 1 (Operations Error),Win32 Err 8224."}, // spaces after the commas are not kept,
		}},
	}
	for _, tt := range tests {
		text := readFixture(t, tt.fixture)
		for _, variant := range []struct{ name, text string }{{"lf", text}, {"crlf", withCRLF(text)}} {
			t.Run(filepath.Base(tt.fixture)+"/"+variant.name, func(t *testing.T) {
				got, err := ParseShowReplCSV(variant.text)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("links (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestReplLinkOK(t *testing.T) {
	links, err := ParseShowReplCSV(readFixture(t, "repadmin/showrepl_failures_unverified.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var ok []bool
	for _, l := range links {
		ok = append(ok, l.OK())
	}
	if diff := cmp.Diff([]bool{false, true, false}, ok); diff != "" {
		t.Errorf("OK (-want +got):\n%s", diff)
	}
	var unread []bool
	for _, l := range links {
		unread = append(unread, l.Unread())
	}
	if diff := cmp.Diff([]bool{false, false, true}, unread); diff != "" {
		t.Errorf("Unread (-want +got):\n%s", diff)
	}
}

func TestParseShowReplCSVEmpty(t *testing.T) {
	got, err := ParseShowReplCSV("showrepl_COLUMNS,Destination DSA Site\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got) != 0 {
		t.Errorf("links = %#v, want an empty list", got)
	}
}

func TestParseShowReplCSVFailures(t *testing.T) {
	header := "showrepl_COLUMNS,Destination DSA Site,Destination DSA,Naming Context,Source DSA Site,Source DSA,Transport Type,Number of Failures,Last Failure Time,Last Success Time,Last Failure Status\n"
	tests := []struct {
		name string
		text string
		line int
	}{
		{"no header", readFixture(t, "repadmin/showrepl_no_header_unverified.txt"), 0},
		{"empty", "", 0},
		{"failures not a number", header + "showrepl_INFO,HQ,DC01,NC,HQ,DC02,RPC,many,0,0,0\n", 2},
		{"status not a number", "banner\n" + header + "showrepl_INFO,HQ,DC01,NC,HQ,DC02,RPC,0,0,0,\n", 3},
		{"short row", header + "showrepl_INFO,HQ,DC01\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links, err := ParseShowReplCSV(tt.text)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, %v; want a *FormatError", links, err)
			}
			if fe.Line != tt.line {
				t.Errorf("error line %d, want %d (%v)", fe.Line, tt.line, err)
			}
		})
	}
}

func FuzzParseShowReplCSV(f *testing.F) {
	for _, name := range []string{
		"repadmin/showrepl_healthy_unverified.csv",
		"repadmin/showrepl_failures_unverified.csv",
		"repadmin/showrepl_columns_reordered_unverified.csv",
		"repadmin/showrepl_no_header_unverified.txt",
		"repadmin/showrepl_ja_unverified.csv",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("showrepl_COLUMNS\nshowrepl_INFO,\"unterminated\n")
	f.Fuzz(func(t *testing.T, text string) {
		links, err := ParseShowReplCSV(text)
		if err != nil && links != nil {
			t.Errorf("links and an error: %v", err)
		}
	})
}
