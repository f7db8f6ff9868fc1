package lab

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenOrg seeds the KB979174 scenario with a fixed clock and addresses,
// without serving it.
func goldenOrg(t *testing.T) *Org {
	t.Helper()
	at := time.Date(2026, 11, 27, 8, 23, 44, 0, time.UTC)
	ips := map[string]string{"dc01": "10.0.0.5", "dc02": "10.0.0.6", "ex01": "10.0.0.11", "ex02": "10.0.0.12"}
	org, _, err := seedOrg(KB979174(), ips, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// TestNativeGolden pins the text of the native commands the KB uses, as
// the lab prints them, in testdata/native (regenerate with -update).
func TestNativeGolden(t *testing.T) {
	tests := []struct {
		name, host, line string
	}{
		{"stripchart", "ex01", "w32tm /stripchart /computer:dc02 /samples:3 /dataonly"},
		{"stripchart-unknown", "ex01", "w32tm /stripchart /computer:dc99 /samples:1 /dataonly"},
		{"resync-outside-source", "ex01", "w32tm /resync"},
		{"resync", "ex02", "w32tm /resync /rediscover"},
		{"showrepl-csv", "dc01", "repadmin /showrepl * /csv"},
		{"showrepl", "dc02", "repadmin /showrepl"},
		{"syncall", "dc01", "repadmin /syncall dc01 /AdeP"},
		{"setspn-l", "ex01", "setspn -L EX01"},
		{"setspn-l-unknown", "ex01", "setspn -L EX99"},
		{"setspn-q", "ex01", "setspn -Q SMTPSVC/ex02.corp.example.com"},
		{"setspn-q-missing", "ex01", "setspn -Q SMTPSVC/EX01"},
		{"setspn-x", "dc01", "setspn -X -F -P"},
		{"unknown-program", "ex01", "frobnicate /all"},
		{"klist-skew", "ex01", "klist get SMTPSVC/ex02.corp.example.com"},
		{"klist-tickets", "ex01", "klist -li 0x3e4 tickets"},
		{"klist-tickets-empty", "ex01", "klist -li 0x3e7 tickets"},
		{"klist-unknown-session", "ex01", "klist -li 0x9999 tickets"},
		{"net-stop", "ex01", "net stop w32time"},
		{"resync-stopped", "ex01", "w32tm /resync"},
		{"net-start", "ex01", "net start w32time"},
		{"powershell-command", "ex01", "powershell.exe -NoProfile -Command Get-Date"},
	}
	org := goldenOrg(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			code := org.Run(context.Background(), tt.host, tt.line, "", nil, strings.NewReader(""), &out, &errOut)
			got := "$ " + tt.line + "\n" + out.String()
			if errOut.Len() > 0 {
				got += "--- stderr\n" + errOut.String()
			}
			got += "--- exit " + itoa(code) + "\n"
			path := filepath.Join("testdata", "native", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}
