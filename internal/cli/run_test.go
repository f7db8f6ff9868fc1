package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUsage checks the help, version and usage-error paths: what goes to
// which stream, and the exit code.
func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{name: "no command", args: nil, wantCode: 2, wantStderr: []string{"Usage: rectify", "validate", "version"}},
		{name: "help", args: []string{"help"}, wantCode: 0, wantStdout: []string{"Usage: rectify", "validate", "-log-level"}},
		{name: "-help", args: []string{"-help"}, wantCode: 0, wantStdout: []string{"Commands:"}},
		{name: "--help", args: []string{"--help"}, wantCode: 0, wantStdout: []string{"Commands:"}},
		{name: "help validate", args: []string{"help", "validate"}, wantCode: 0, wantStdout: []string{"Usage: rectify validate", "-inventory FILE", "-var NAME=VALUE", "-var-file FILE", "-log-format FORMAT"}},
		{name: "validate -h", args: []string{"validate", "-h"}, wantCode: 0, wantStdout: []string{"Usage: rectify validate"}},
		{name: "help unknown", args: []string{"help", "frobnicate"}, wantCode: 2, wantStderr: []string{`rectify help: unknown command "frobnicate"`}},
		{name: "help two", args: []string{"help", "a", "b"}, wantCode: 2, wantStderr: []string{"at most one command"}},
		{name: "version", args: []string{"version"}, wantCode: 0, wantStdout: []string{"rectify v0.0.0-test ("}},
		{name: "-version", args: []string{"-version"}, wantCode: 0, wantStdout: []string{"rectify v0.0.0-test ("}},
		{name: "version extra", args: []string{"version", "x"}, wantCode: 2, wantStderr: []string{`unexpected argument "x"`}},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: []string{`rectify: unknown command "frobnicate"`, "Run 'rectify help' for usage."}},
		{name: "unknown global flag", args: []string{"-colour", "validate"}, wantCode: 2, wantStderr: []string{"flag provided but not defined: -colour"}},
		{name: "unknown flag", args: []string{"validate", "-colour", "x"}, wantCode: 2, wantStderr: []string{"rectify validate: flag provided but not defined: -colour", "Run 'rectify help validate' for usage."}},
		{name: "no playbook", args: []string{"validate"}, wantCode: 2, wantStderr: []string{"expected one PLAYBOOK argument"}},
		{name: "two playbooks", args: []string{"validate", "a", "b"}, wantCode: 2, wantStderr: []string{"expected one PLAYBOOK argument"}},
		{name: "missing flag value", args: []string{"validate", "-inventory"}, wantCode: 2, wantStderr: []string{"flag needs an argument: -inventory"}},
		{name: "bad var", args: []string{"validate", "-var", testSecret, "x"}, wantCode: 2, wantStderr: []string{"-var wants name=value"}},
		{name: "bad log level", args: []string{"-log-level", "loud", "version"}, wantCode: 2, wantStderr: []string{`invalid -log-level "loud"`}},
		{name: "bad log format", args: []string{"version", "-log-format", "xml"}, wantCode: 2, wantStderr: []string{`invalid -log-format "xml"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, runOptions{}, tt.args...)
			if got.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s", got.code, tt.wantCode, got)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(got.stdout, w) {
					t.Errorf("stdout lacks %q\n%s", w, got)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(got.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, got)
				}
			}
			if len(tt.wantStdout) == 0 && got.stdout != "" {
				t.Errorf("unexpected stdout:\n%s", got)
			}
			if strings.Contains(got.String(), testSecret) {
				t.Errorf("output repeats a secret:\n%s", got)
			}
		})
	}
}

// TestGlobalFlagsEitherSide checks that -log-level and -log-format work
// before and after the command name, and that logs are JSON lines on
// stderr unless console is asked for.
func TestGlobalFlagsEitherSide(t *testing.T) {
	pb := "playbooks/testdata/valid/exchange-454"
	tests := []struct {
		name    string
		args    []string
		wantLog bool
		console bool
	}{
		{name: "default warn", args: []string{"validate", pb}},
		{name: "before", args: []string{"-log-level", "debug", "validate", pb}, wantLog: true},
		{name: "after", args: []string{"validate", "-log-level=debug", pb}, wantLog: true},
		{name: "double dash after playbook", args: []string{"validate", pb, "--log-level", "debug"}, wantLog: true},
		{name: "console", args: []string{"-log-format", "console", "validate", "-log-level", "debug", pb}, wantLog: true, console: true},
		{name: "after overrides before", args: []string{"-log-level", "debug", "validate", "-log-level", "error", pb}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, runOptions{}, tt.args...)
			if got.code != 0 {
				t.Fatalf("exit %d\n%s", got.code, got)
			}
			logged := strings.Contains(got.stderr, "playbook loaded")
			if logged != tt.wantLog {
				t.Fatalf("debug log present = %v, want %v\n%s", logged, tt.wantLog, got)
			}
			if !logged {
				return
			}
			line := strings.SplitN(got.stderr, "\n", 2)[0]
			var rec map[string]any
			isJSON := json.Unmarshal([]byte(line), &rec) == nil
			if isJSON == tt.console {
				t.Errorf("log line %q: JSON = %v, want %v", line, isJSON, !tt.console)
			}
			if isJSON && (rec["level"] != "debug" || rec["playbook"] != "exchange-454") {
				t.Errorf("log record = %v", rec)
			}
			if strings.Contains(got.stdout, "playbook loaded") {
				t.Errorf("logs went to stdout:\n%s", got.stdout)
			}
		})
	}
}
