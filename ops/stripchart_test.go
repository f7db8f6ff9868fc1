package ops

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readFixture reads a file under testdata.
func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withCRLF gives the text with Windows line endings, as a host prints it.
func withCRLF(text string) string {
	return strings.ReplaceAll(text, "\n", "\r\n")
}

func TestParseStripchart(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		fixture string
		want    []StripchartSample
	}{
		{"w32tm/stripchart_dataonly_unverified.txt", []StripchartSample{
			{Clock: "08:23:44", Offset: 2265 * time.Microsecond},
			{Clock: "08:23:46", Offset: -10452100 * time.Nanosecond},
			{Clock: "08:23:48", Offset: 312*time.Second + 500*ms},
		}},
		{"w32tm/stripchart_comma_decimal_unverified.txt", []StripchartSample{
			{Clock: "08:23:44", Offset: 2265 * time.Microsecond},
			{Clock: "08:23:46", Offset: -1250 * ms},
		}},
		{"w32tm/stripchart_sample_errors_unverified.txt", []StripchartSample{
			{Clock: "08:23:44", Error: "0x800705B4"},
			{Clock: "08:23:46", Offset: 2 * ms},
			{Clock: "08:23:48", Error: "0x800705B4"},
		}},
		{"w32tm/stripchart_ja_unverified.txt", []StripchartSample{
			{Clock: "8:23:44", Offset: -73125 * time.Microsecond},
			{Clock: "8:23:46", Error: "0x800705B4"},
		}},
		{"w32tm/stripchart_chart_unverified.txt", []StripchartSample{
			{Clock: "08:23:44", Offset: 2265 * time.Microsecond},
			{Clock: "08:23:46", Offset: -1 * ms},
		}},
	}
	for _, tt := range tests {
		text := readFixture(t, tt.fixture)
		for _, variant := range []struct{ name, text string }{{"lf", text}, {"crlf", withCRLF(text)}} {
			t.Run(filepath.Base(tt.fixture)+"/"+variant.name, func(t *testing.T) {
				got, err := ParseStripchart(variant.text)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("samples (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestParseStripchartFailures(t *testing.T) {
	for _, text := range []string{
		readFixture(t, "w32tm/stripchart_unreachable_unverified.txt"),
		"",
		"Tracking dc01 [10.0.0.5:123].\nCollecting 1 samples.\n",
		"08:23:44, +99999999999999999999.0s\n",
		"08:23:44, 1.5\n",
	} {
		samples, err := ParseStripchart(text)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("ParseStripchart(%q) = %v, %v; want a *FormatError", text, samples, err)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"+00.0022650", 2265 * time.Microsecond, true},
		{"-00,5", -500 * time.Millisecond, true},
		{"7", 7 * time.Second, true},
		{"+1.0000000019", time.Second + 1, true},
		{"-", 0, false},
		{".5", 0, false},
		{"1.x", 0, false},
		{"9223372036", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseSeconds(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSeconds(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseStripchart(f *testing.F) {
	for _, name := range []string{
		"w32tm/stripchart_dataonly_unverified.txt",
		"w32tm/stripchart_comma_decimal_unverified.txt",
		"w32tm/stripchart_sample_errors_unverified.txt",
		"w32tm/stripchart_chart_unverified.txt",
		"w32tm/stripchart_ja_unverified.txt",
		"w32tm/stripchart_unreachable_unverified.txt",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		samples, err := ParseStripchart(text)
		if err == nil && len(samples) == 0 {
			t.Errorf("no error and no samples for %q", text)
		}
		for _, s := range samples {
			if s.Failed() && s.Offset != 0 {
				t.Errorf("failed sample with an offset: %+v", s)
			}
		}
	})
}
