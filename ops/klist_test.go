package ops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseKlistTickets(t *testing.T) {
	smtp := KlistTicket{Server: "SMTPSVC/ex02.corp.example.com", Realm: "CORP.EXAMPLE.COM"}
	tests := []struct {
		file string
		want []KlistTicket
	}{
		{"tickets_en_unverified.txt", []KlistTicket{{Server: "krbtgt/CORP.EXAMPLE.COM", Realm: "CORP.EXAMPLE.COM"}, smtp}},
		{"tickets_empty_unverified.txt", nil},
		// The labels are French; the structure is the same.
		{"tickets_fr_unverified.txt", []KlistTicket{smtp}},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("testdata", "klist", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseKlistTickets(string(b))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.file, diff)
		}
	}
}

func TestParseKlistTicketsRefusesWhatItCannotRead(t *testing.T) {
	tests := []struct{ name, out string }{
		{"an error instead of a listing", "Current LogonId is 0:0x1d7b5\r\nklist failed with 0xc000005f/-1073741729: A specified logon session does not exist. It may already have been terminated.\r\n"},
		{"fewer entries than announced", "Cached Tickets: (2)\n\n#0>\tClient: EX01$ @ CORP\n\tServer: krbtgt/CORP @ CORP\n"},
		{"an entry without a server", "Cached Tickets: (1)\n\n#0>\tClient: EX01$ @ CORP\n"},
		{"an entry before the count", "#0>\tServer: krbtgt/CORP @ CORP\n"},
	}
	for _, tt := range tests {
		_, err := ParseKlistTickets(tt.out)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a FormatError", tt.name, err)
		}
	}
}
