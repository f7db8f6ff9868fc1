package playbooks

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/plans"
)

// TestEvaluatedDigest: the digest follows what the playbook evaluates to,
// not its bytes: a comment leaves it, a value read through env() or a
// variable moves it; and a sensitive value counts only through its salted
// hash.
func TestEvaluatedDigest(t *testing.T) {
	salt := plans.Salt(bytes.Repeat([]byte{5}, plans.SaltSize))
	dir := t.TempDir()
	const src = `playbook "p" {
  title = "t"
}

variable "level" {
  type    = number
  default = 1
}

variable "token" {
  type      = string
  sensitive = true
  default   = "unset"
}

step "windows.registry_value" "log" {
  targets = group.exchange
  path    = env("KEY_PATH")
  name    = "LogLevel"
  value   = var.level
}
`
	digest := func(text string, env map[string]string, vars map[string]string) string {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, r, diags := loadAndEvaluate(t, dir, EvalInput{Hosts: testHosts(), Groups: testGroups, Vars: vars,
			Functions: lang.Scope{BaseDir: dir, LookupEnv: func(n string) (string, bool) { v, ok := env[n]; return v, ok }}.Functions()})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		d, err := r.Digest(salt)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	env := map[string]string{"KEY_PATH": `HKLM:\SYSTEM\Kerberos`}
	want := digest(src, env, nil)
	if got := digest("# reviewed\n"+src, env, nil); got != want {
		t.Errorf("a comment changed the digest")
	}
	if got := digest(src, map[string]string{"KEY_PATH": `HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`}, nil); got == want {
		t.Errorf("a path read through env() changed, the digest did not")
	}
	if got := digest(src, env, map[string]string{"level": "2"}); got == want {
		t.Errorf("a variable changed, the digest did not")
	}
	if got := digest(src, env, map[string]string{"token": "other"}); got == want {
		t.Errorf("a sensitive variable changed, the digest did not")
	}
}
