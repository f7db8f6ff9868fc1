package cli

import (
	"strings"
	"testing"
)

func TestDidYouMean(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"plna"}, `rectify: unknown command "plna"; did you mean "plan"?`},
		{[]string{"hsitory"}, `did you mean "history"?`},
		{[]string{"aply"}, `did you mean "apply"?`},
		{[]string{"help", "valdiate"}, `rectify help: unknown command "valdiate"; did you mean "validate"?`},
		{[]string{"plan", "-invetory", "inv.hcl", "pb"}, "rectify plan: flag provided but not defined: -invetory; did you mean -inventory?"},
		{[]string{"plan", "pb", "--detailed-exit-code"}, "did you mean -detailed-exitcode?"},
		{[]string{"validate", "x", "-var-fiel=a.hcl"}, "did you mean -var-file?"},
		{[]string{"show", "-log-levl", "debug", "x"}, "did you mean -log-level?"},
		{[]string{"-log-formt", "json", "version"}, "rectify: flag provided but not defined: -log-formt; did you mean -log-format?"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got := run(t, runOptions{}, tt.args...)
			if got.code != exitUsage || !strings.Contains(got.stderr, tt.want) {
				t.Errorf("exit %d, stderr lacks %q:\n%s", got.code, tt.want, got)
			}
		})
	}
	for _, args := range [][]string{{"frobnicate"}, {"validate", "-colour", "x"}} {
		if got := run(t, runOptions{}, args...); strings.Contains(got.stderr, "did you mean") {
			t.Errorf("%v: a suggestion for a name nothing is near:\n%s", args, got)
		}
	}
}

func TestNoColor(t *testing.T) {
	for _, tt := range []struct {
		name  string
		env   map[string]string
		color bool
	}{
		{"terminal", nil, true},
		{"NO_COLOR set", map[string]string{"NO_COLOR": "1"}, false},
		{"NO_COLOR empty", map[string]string{"NO_COLOR": ""}, true},
		{"dumb terminal", map[string]string{"TERM": "dumb"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, runOptions{terminal: true, env: tt.env}, "validate", "-inventory", "inventory/testdata/errors/hosts.hcl", "internal/cli/testdata/empty")
			if colored := strings.Contains(got.stderr, "\x1b["); colored != tt.color {
				t.Errorf("coloured = %v, want %v:\n%q", colored, tt.color, got.stderr)
			}
		})
	}
}
