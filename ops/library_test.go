package ops

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEveryScriptHasAMarker(t *testing.T) {
	ops := Ops()
	if len(ops) == 0 {
		t.Fatal("the library holds no scripts")
	}
	for _, op := range ops {
		s, err := Lookup(op)
		if err != nil {
			t.Fatal(err)
		}
		got, v, ok := ParseMarker(s.Text)
		if !ok || got != op || v != s.Version {
			t.Errorf("script %s: marker reads %q v%d ok=%v", op, got, v, ok)
		}
	}
}

func TestParseMarker(t *testing.T) {
	tests := []struct {
		text string
		op   string
		v    int
		ok   bool
	}{
		{"# rectify:op registry.get v1\nparam()", "registry.get", 1, true},
		{"# rectify:op exchange.connector.add_auth v12\r\n", "exchange.connector.add_auth", 12, true},
		{"#rectify:op x v1", "", 0, false},
		{"\n# rectify:op x v1", "", 0, false},
		{"# rectify:op X v1", "", 0, false},
		{"# rectify:op x v0", "", 0, false},
		{"# rectify:op x v1; Remove-Item", "", 0, false},
	}
	for _, tt := range tests {
		op, v, ok := ParseMarker(tt.text)
		if op != tt.op || v != tt.v || ok != tt.ok {
			t.Errorf("ParseMarker(%q) = %q, %d, %v", tt.text, op, v, ok)
		}
	}
}

func TestEncodeCommandRoundTrip(t *testing.T) {
	text := "Write-Output 'grüße ✓'\r\n$x = 1"
	got, err := DecodeCommand(EncodeCommand(text))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(text, got); diff != "" {
		t.Error(diff)
	}
	if !strings.HasPrefix(BootstrapCommand(), "powershell.exe ") {
		t.Errorf("bootstrap command: %s", BootstrapCommand())
	}
	if n := len(BootstrapCommand()); n > 8191 {
		t.Errorf("bootstrap command is %d characters, over cmd.exe's 8191", n)
	}
}

func TestStdinRoundTrip(t *testing.T) {
	s := MustScript(Bootstrap)
	args := []byte(`{"path":"HKLM:\\x'; Remove-Item C:\\ -Recurse #","n":"\u0000"}`)
	a, script, err := ParseStdin(Stdin(s, args))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(args), string(a)); diff != "" {
		t.Error(diff)
	}
	if script != s.Text {
		t.Errorf("script changed on the way")
	}
	if _, _, err := ParseStdin([]byte("no newline")); err == nil {
		t.Error("input without a script was accepted")
	}
	if _, _, err := ParseStdin([]byte("!!!\nscript")); err == nil {
		t.Error("a non-base64 argument line was accepted")
	}
}
