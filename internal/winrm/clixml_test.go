package winrm

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestDecodeCLIXMLGolden decodes recorded-shaped standard error fixtures
// (testdata/clixml/*.clixml) and compares them with their .golden text.
func TestDecodeCLIXMLGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "clixml", "*.clixml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".clixml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := DecodeCLIXML(string(raw))
			golden := strings.TrimSuffix(in, ".clixml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("DecodeCLIXML mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeCLIXML(t *testing.T) {
	const objs = `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain text unchanged", "Access is denied.\r\n", "Access is denied.\r\n"},
		{"header only", "#< CLIXML\r\n", ""},
		{"bom before header", "\ufeff#< CLIXML\r\n" + objs + `<S S="Error">x_x000D__x000A_</S></Objs>`, "x"},
		{"error lines joined", "#< CLIXML\r\n" + objs + `<S S="Error">a_x000D__x000A_</S><S S="Error">b_x000D__x000A_</S></Objs>`, "a\nb"},
		{"error split across records", "#< CLIXML\r\n" + objs + `<S S="Error">par</S><S S="Error">tial_x000A_</S></Objs>`, "partial"},
		{"progress string dropped", "#< CLIXML\r\n" + objs + `<S S="progress">50%</S><S S="Error">e</S></Objs>`, "e"},
		{"progress object dropped", "#< CLIXML\r\n" + objs + `<Obj S="progress" RefId="0"><MS><S N="x">not me</S></MS></Obj></Objs>`, ""},
		{"stream name case", "#< CLIXML\r\n" + objs + `<S S="ERROR">e</S><S S="Warning">w</S></Objs>`, "e\nWARNING: w"},
		{"unknown stream dropped", "#< CLIXML\r\n" + objs + `<S S="host">h</S></Objs>`, ""},
		{"surrogate pair", "#< CLIXML\r\n" + objs + `<S S="Error">_xD83D__xDE00_</S></Objs>`, "😀"},
		{"lone surrogate replaced", "#< CLIXML\r\n" + objs + `<S S="Error">_xD83D_!</S></Objs>`, "\ufffd!"},
		{"escaped underscore", "#< CLIXML\r\n" + objs + `<S S="Error">_x005F_x000A_</S></Objs>`, "_x000A_"},
		{"not an escape", "#< CLIXML\r\n" + objs + `<S S="Error">_x12_ _xGGGG_ _x</S></Objs>`, "_x12_ _xGGGG_ _x"},
		{"entities", "#< CLIXML\r\n" + objs + `<S S="Error">&lt;a&gt; &amp; &quot;b&quot;</S></Objs>`, `<a> & "b"`},
		{"truncated keeps rest", "#< CLIXML\r\n" + objs + `<S S="Error">ok_x000A_</S><S S="Err`, "ok\n<S S=\"Err"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, DecodeCLIXML(tt.in)); diff != "" {
				t.Errorf("DecodeCLIXML(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// FuzzDecodeCLIXML checks that the decoder never panics, always returns
// valid UTF-8 for CLIXML input, and leaves other text alone.
func FuzzDecodeCLIXML(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "clixml", "*.clixml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Add("#< CLIXML\r\n<Objs><S S=\"Error\">_xD800_</S></Objs>")
	f.Add("#< CLIXML<Objs><S S=\"Error\"><S S=\"Error\">x</S></S></Objs>#< CLIXML")
	f.Fuzz(func(t *testing.T, in string) {
		got := DecodeCLIXML(in)
		isCLIXML := strings.HasPrefix(strings.TrimPrefix(in, "\ufeff"), clixmlHeader)
		if !isCLIXML && got != in {
			t.Fatalf("non-CLIXML input changed: %q -> %q", in, got)
		}
		if isCLIXML && !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out of %q: %q", in, got)
		}
		if isCLIXML && strings.TrimRightFunc(got, unicode.IsSpace) != got {
			t.Fatalf("trailing space kept: %q", got)
		}
	})
}
