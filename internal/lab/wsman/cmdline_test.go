package wsman

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewCommandSplitsAsWindows(t *testing.T) {
	tests := []struct {
		name      string
		command   string
		arguments []string
		want      Command
	}{
		{"encoded powershell", "powershell.exe -NoProfile -EncodedCommand SQBFAFgA", nil, Command{
			Line: "powershell.exe -NoProfile -EncodedCommand SQBFAFgA", Executable: "powershell.exe",
			Arguments: []string{"-NoProfile", "-EncodedCommand", "SQBFAFgA"}}},
		{"separate arguments", "repadmin", []string{"/showrepl", "*", "/csv"}, Command{
			Line: "repadmin /showrepl * /csv", Executable: "repadmin", Arguments: []string{"/showrepl", "*", "/csv"}}},
		{"quoted program", `"C:\Program Files\x.exe" a`, nil, Command{
			Line: `"C:\Program Files\x.exe" a`, Executable: `C:\Program Files\x.exe`, Arguments: []string{"a"}}},
		{"quotes and backslashes", `p "a b" c\d \"e\" "f\\" "g""h" x\\\"y`, nil, Command{
			Line: `p "a b" c\d \"e\" "f\\" "g""h" x\\\"y`, Executable: "p",
			Arguments: []string{"a b", `c\d`, `"e"`, `f\`, `g"h`, `x\"y`}}},
		{"empty quoted argument", `setspn -L ""`, nil, Command{Line: `setspn -L ""`, Executable: "setspn", Arguments: []string{"-L", ""}}},
		{"blank", "   ", nil, Command{Line: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newCommand(tt.command, tt.arguments)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "PT60S", want: "1m0s"},
		{in: "PT20.000S", want: "20s"},
		{in: "PT0.5S", want: "500ms"},
		{in: "PT1M30S", want: "1m30s"},
		{in: "P0DT1H0M0S", want: "1h0m0s"},
		{in: "P1D", want: "24h0m0s"},
		{in: "60", wantErr: true},
		{in: "P", wantErr: true},
		{in: "PT", wantErr: true},
		{in: "P1Y", wantErr: true},
		{in: "PT5X", wantErr: true},
		{in: "PTS", wantErr: true},
		{in: "P9999D", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseDuration(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got.String() != tt.want {
			t.Errorf("parseDuration(%q) = %v, want %s", tt.in, got, tt.want)
		}
	}
}
