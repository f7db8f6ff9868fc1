package cli

import (
	"strings"
	"testing"
)

// TestValidateNeverPrintsSecrets runs validate over playbooks and
// inventories whose secrets come from env() set to a recognisable value,
// with errors on the very attributes that hold them, at the most verbose
// log level, on a terminal and off it.
func TestValidateNeverPrintsSecrets(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{
			name: "valid inventory, invalid playbook",
			args: []string{"validate", "-log-level", "trace", "-inventory", "internal/cli/testdata/secret-inventory.hcl",
				"-var-file", "playbooks/testdata/secrets.vars", "-var", "declared=" + testSecret, "playbooks/testdata/secrets"},
			wantCode: 1,
		},
		{
			name: "password with a type error",
			args: []string{"validate", "-log-level", "trace", "-inventory", "internal/cli/testdata/secret-inventory-error.hcl",
				"internal/cli/testdata/empty"},
			wantCode: 1,
		},
		{
			name: "valid inventory, valid playbook",
			args: []string{"validate", "-log-level", "trace", "-log-format", "console", "-inventory", "inventory/testdata/valid/corp.hcl",
				"playbooks/testdata/valid/exchange-454"},
			wantCode: 0,
		},
		{
			name:     "inventory secrets in the secret-proof fixture",
			args:     []string{"validate", "-log-level", "trace", "-inventory", "inventory/testdata/errors/secrets.hcl", "internal/cli/testdata/empty"},
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		for _, terminal := range []bool{false, true} {
			got := run(t, runOptions{terminal: terminal, width: 60}, tt.args...)
			if got.code != tt.wantCode {
				t.Errorf("%s: exit %d, want %d\n%s", tt.name, got.code, tt.wantCode, got)
			}
			for _, form := range []string{testSecret, strings.ToUpper(testSecret), "horse-staple"} {
				if strings.Contains(got.stdout+got.stderr, form) {
					t.Errorf("%s (terminal %v): output contains the secret %q:\n%s", tt.name, terminal, form, got)
				}
			}
		}
	}
	// The trace log did describe the connections, with the password
	// shown as set and sensitive.
	got := run(t, runOptions{}, "validate", "-log-level", "trace", "-inventory", "inventory/testdata/valid/corp.hcl", "playbooks/testdata/valid/exchange-454")
	if !strings.Contains(got.stderr, `"password":{"set":true,"value":"(sensitive)"}`) {
		t.Errorf("the trace log does not show the redacted password:\n%s", got.stderr)
	}
}
