package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

func TestEnvIsSensitive(t *testing.T) {
	s := Scope{LookupEnv: func(n string) (string, bool) {
		if n == "PW" {
			return "hunter2", true
		}
		return "", false
	}}
	f := s.Functions()["env"]
	v, err := f.Call([]cty.Value{cty.StringVal("PW")})
	if err != nil {
		t.Fatal(err)
	}
	if !IsSensitive(v) {
		t.Errorf("env() value is not marked sensitive")
	}
	if _, err := f.Call([]cty.Value{cty.StringVal("MISSING")}); err == nil || !strings.Contains(err.Error(), `"MISSING" is not set`) {
		t.Errorf("missing variable: got %v", err)
	}
}

func TestReadFileWithin(t *testing.T) {
	root := t.TempDir()
	base := filepath.Join(root, "pb")
	if err := os.MkdirAll(filepath.Join(base, "pki"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(base, "pki", "pw.txt"), "s3cret")
	mustWrite(t, filepath.Join(root, "outside.txt"), "x")
	if err := os.Symlink(filepath.Join(root, "outside.txt"), filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop2", filepath.Join(base, "loop1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop1", filepath.Join(base, "loop2")); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(base, "big"), strings.Repeat("a", MaxFileSize+1))

	tests := []struct {
		path    string
		want    string
		wantErr string
	}{
		{path: "pki/pw.txt", want: "s3cret"},
		{path: "../outside.txt", wantErr: "outside the directory"},
		{path: "link", wantErr: "outside the directory"},
		{path: filepath.Join(root, "outside.txt"), wantErr: "outside the directory"},
		{path: "loop1", wantErr: "cannot resolve"},
		{path: "nope", wantErr: `no file "nope"`},
		{path: "big", wantErr: "larger than"},
		{path: "pki", wantErr: "is a directory"},
		{path: "a\x00b", wantErr: "NUL"},
	}
	for _, tt := range tests {
		got, err := ReadFileWithin(base, tt.path)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadFileWithin(%q) error = %v, want it to contain %q", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadFileWithin(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "5m", want: 5 * time.Minute},
		{in: "24h", want: 24 * time.Hour},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "-5m", bad: true},
		{in: "soon", bad: true},
		{in: "5", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFunctionErrorsHideSensitiveArguments(t *testing.T) {
	const secret = "hunter2-recognisable"
	s := Scope{LookupEnv: func(n string) (string, bool) { return secret, n == "PW" }}
	fns := s.Functions()
	pw, err := fns["env"].Call([]cty.Value{cty.StringVal("PW")})
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		fn   string
		args []cty.Value
	}{
		{fn: "tonumber", args: []cty.Value{pw}},
		{fn: "tobool", args: []cty.Value{pw}},
		{fn: "duration", args: []cty.Value{pw}},
		{fn: "file", args: []cty.Value{pw}},
		{fn: "jsondecode", args: []cty.Value{pw}},
		{fn: "regex", args: []cty.Value{cty.StringVal("(").Mark(Sensitive), cty.StringVal("x")}},
		{fn: "env", args: []cty.Value{pw}},
	}
	for _, c := range calls {
		f, ok := fns[c.fn]
		if !ok {
			continue
		}
		_, err := f.Call(c.args)
		if err == nil {
			t.Errorf("%s(sensitive) succeeded, want an error", c.fn)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s(sensitive) error reveals the value: %v", c.fn, err)
		}
	}
	// Plain arguments keep their helpful messages, and results keep marks.
	if _, err := fns["tonumber"].Call([]cty.Value{cty.StringVal("abc")}); err == nil || !strings.Contains(err.Error(), `"abc"`) {
		t.Errorf("tonumber(\"abc\") error = %v, want it to quote the value", err)
	}
	up, err := fns["upper"].Call([]cty.Value{pw})
	if err != nil || !IsSensitive(up) {
		t.Errorf("upper(sensitive) = %#v, %v; want a sensitive value", up, err)
	}
}
