package lab

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNativeCommandLine(t *testing.T) {
	tests := []struct {
		script  string
		program string
		args    []string
		ok      bool
	}{
		{"w32tm /query /source", "w32tm", []string{"/query", "/source"}, true},
		{"  w32tm /resync\r\n", "w32tm", []string{"/resync"}, true},
		{`& 'C:\Program Files\VMware\VMware Tools\VMwareToolboxCmd.exe' timesync status`, `C:\Program Files\VMware\VMware Tools\VMwareToolboxCmd.exe`, []string{"timesync", "status"}, true},
		{`& "C:\Windows\System32\w32tm.exe" /query /source`, `C:\Windows\System32\w32tm.exe`, []string{"/query", "/source"}, true},
		{`reg query "HKLM\SOFTWARE\Policies\Microsoft\W32Time\Parameters" /v Type`, "reg", []string{"query", `HKLM\SOFTWARE\Policies\Microsoft\W32Time\Parameters`, "/v", "Type"}, true},
		{`wevtutil qe System '/q:*[System[(EventID=3)]]' /c:5`, "wevtutil", []string{"qe", "System", "/q:*[System[(EventID=3)]]", "/c:5"}, true},
		{`echo 'it''s'`, "echo", []string{"it's"}, true},
		{"w32tm /query /source # a comment", "w32tm", []string{"/query", "/source"}, true},
		{"klist -li 0x3e7 purge", "klist", []string{"-li", "0x3e7", "purge"}, true},
		// Not one native command.
		{"w32tm /query /source\nw32tm /resync", "", nil, false},
		{"w32tm /query /source; w32tm /resync", "", nil, false},
		{"w32tm /query /source | Out-String", "", nil, false},
		{"w32tm /query /source > out.txt", "", nil, false},
		{"w32tm /config /manualpeerlist:$peers", "", nil, false},
		{`w32tm /config "/manualpeerlist:$env:PEERS"`, "", nil, false},
		{"w32tm /query /source && hostname", "", nil, false},
		{"$(hostname)", "", nil, false},
		{"w32tm /config /manualpeerlist:a,b", "", nil, false},
		{"w32tm 'unterminated", "", nil, false},
		{"-Command x", "", nil, false},
		{"", "", nil, false},
	}
	for _, tt := range tests {
		program, args, ok := nativeCommandLine(tt.script)
		if ok != tt.ok || program != tt.program || !cmp.Equal(args, tt.args) {
			t.Errorf("%q: %q %q %v; want %q %q %v", tt.script, program, args, ok, tt.program, tt.args, tt.ok)
		}
	}
}

func TestParseEventQuery(t *testing.T) {
	for _, tt := range []struct {
		q  string
		ok bool
	}{
		{"", true},
		{"*", true},
		{"*[System[(EventID=3)]]", true},
		{"*[System[Provider[@Name='Microsoft-Windows-Security-Kerberos'] and (EventID=3 or EventID=4)]]", true},
		{"*[System[(Level=2) and TimeCreated[timediff(@SystemTime) <= 86400000]]]", true},
		{"*[EventData[Data[@Name='ErrorCode']='0x25']]", false},
		{"*[System[Security[@UserID='S-1-5-18']]]", false},
	} {
		if _, ok := parseEventQuery(tt.q); ok != tt.ok {
			t.Errorf("%q: ok %v, want %v", tt.q, ok, tt.ok)
		}
	}
}
