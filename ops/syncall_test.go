package ops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ntds names a DC's NTDS Settings object as repadmin /d prints it.
func ntds(dc, site string) string {
	return "CN=NTDS Settings,CN=" + dc + ",CN=Servers,CN=" + site + ",CN=Sites,CN=Configuration,DC=corp,DC=example,DC=com"
}

func TestParseSyncAll(t *testing.T) {
	const (
		dnsZones = "DC=ForestDnsZones,DC=corp,DC=example,DC=com"
		domain   = "DC=corp,DC=example,DC=com"
	)
	tests := []struct {
		fixture string
		want    SyncAllResult
	}{
		{"repadmin/syncall_ok_unverified.txt", SyncAllResult{
			OK:         true,
			Partitions: []string{dnsZones, domain},
			Replications: []ReplPair{
				{Partition: dnsZones, From: ntds("DC01", "HQ"), To: ntds("DC02", "HQ")},
				{Partition: domain, From: ntds("DC01", "HQ"), To: ntds("DC02", "HQ")},
			},
			Errors: []SyncAllError{},
		}},
		{"repadmin/syncall_errors_unverified.txt", SyncAllResult{
			Partitions:   []string{domain},
			Replications: []ReplPair{{Partition: domain, From: ntds("DC01", "HQ"), To: ntds("DC02", "HQ")}},
			Errors: []SyncAllError{
				{
					Context:   "Error contacting server " + ntds("DC03", "Branch") + " (network error)",
					Code:      1722,
					Message:   "The RPC server is unavailable.",
					Partition: domain,
				},
				{
					Context:   "Error issuing replication",
					Code:      1722,
					Message:   "The RPC server is unavailable.",
					Partition: domain,
					From:      ntds("DC01", "HQ"),
					To:        ntds("DC03", "Branch"),
				},
			},
		}},
		{"repadmin/syncall_fatal_unverified.txt", SyncAllResult{
			Partitions:   []string{},
			Replications: []ReplPair{},
			Errors: []SyncAllError{{
				Context: "SyncAll exited with fatal Win32 error",
				Code:    8440,
				Message: "The naming context specified for this replication operation is invalid.",
			}},
		}},
	}
	for _, tt := range tests {
		text := readFixture(t, tt.fixture)
		for _, variant := range []struct{ name, text string }{{"lf", text}, {"crlf", withCRLF(text)}} {
			t.Run(filepath.Base(tt.fixture)+"/"+variant.name, func(t *testing.T) {
				got, err := ParseSyncAll(variant.text)
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

func TestParseSyncAllFailures(t *testing.T) {
	for _, text := range []string{
		readFixture(t, "repadmin/syncall_usage_unverified.txt"),
		"",
		"\r\n\r\n",
	} {
		res, err := ParseSyncAll(text)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("ParseSyncAll(%q) = %+v, %v; want a *FormatError", text, res, err)
		}
	}
}

func TestParseSyncAllErrorsWithoutTerminator(t *testing.T) {
	// An error alone is a result, not a format problem; no success line
	// means not OK.
	got, err := ParseSyncAll("Error issuing replication: 8453 (0x2105): Replication access was denied.\n")
	if err != nil {
		t.Fatal(err)
	}
	want := SyncAllResult{
		Partitions:   []string{},
		Replications: []ReplPair{},
		Errors:       []SyncAllError{{Context: "Error issuing replication", Code: 8453, Message: "Replication access was denied."}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func FuzzParseSyncAll(f *testing.F) {
	for _, name := range []string{
		"repadmin/syncall_ok_unverified.txt",
		"repadmin/syncall_errors_unverified.txt",
		"repadmin/syncall_fatal_unverified.txt",
		"repadmin/syncall_usage_unverified.txt",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		res, err := ParseSyncAll(text)
		if err != nil {
			return
		}
		if res.OK && len(res.Errors) > 0 {
			t.Errorf("OK with errors: %+v", res)
		}
	})
}

// TestParseSyncAllInAnyLanguage checks that the decision does not depend
// on repadmin's sentences: a public capture of the second hop failing, and
// a Japanese success.
func TestParseSyncAllInAnyLanguage(t *testing.T) {
	goad := "CN=NTDS Settings,CN=WINTERFELL,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=sevenkingdoms,DC=local"
	tests := []struct {
		fixture string
		want    SyncAllResult
	}{
		{"repadmin/syncall_network_logon_goad140.txt", SyncAllResult{
			Partitions:   []string{"DC=north,DC=sevenkingdoms,DC=local"},
			Replications: []ReplPair{},
			Errors: []SyncAllError{
				{Context: "Error contacting server " + goad + " (network error)", Code: 1722, Message: "The RPC server is unavailable.", Partition: "DC=north,DC=sevenkingdoms,DC=local"},
				{Context: "SyncAll exited with fatal Win32 error", Code: 8440, Message: "The naming context specified for this replication operation is invalid.", Partition: "DC=north,DC=sevenkingdoms,DC=local"},
			},
		}},
		{"repadmin/syncall_ok_ja_unverified.txt", SyncAllResult{
			OK:           true,
			Partitions:   []string{"DC=corp,DC=example,DC=com"},
			Replications: []ReplPair{{Partition: "DC=corp,DC=example,DC=com", From: ntds("DC02", "HQ"), To: ntds("DC01", "HQ")}},
			Errors:       []SyncAllError{},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.fixture), func(t *testing.T) {
			got, err := ParseSyncAll(readFixture(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}
