package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// script returns rectify's completion script for shell.
func script(t *testing.T, shell string) string {
	t.Helper()
	got := run(t, runOptions{}, "completion", shell)
	if got.code != exitOK || got.stdout == "" {
		t.Fatalf("completion %s: %s", shell, got)
	}
	return got.stdout
}

// TestCompletionCoversTheCommandTable checks that each shell's script
// names every command of the table and every flag of each command and
// the global ones, as that shell spells them.
func TestCompletionCoversTheCommandTable(t *testing.T) {
	refs := commandRefs()
	if len(refs) != len(commandTable()) {
		t.Fatalf("%d command references for %d commands", len(refs), len(commandTable()))
	}
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			s := script(t, shell)
			for _, r := range refs {
				cmdForm := map[string]string{"bash": r.name, "zsh": "'" + r.name + ":", "powershell": "'" + r.name + "' = @{"}[shell]
				if !strings.Contains(s, cmdForm) {
					t.Errorf("the %s script lacks the command %q (as %q)", shell, r.name, cmdForm)
				}
				for _, name := range allFlagNames(r) {
					flagForm := map[string]string{"bash": "-" + name, "zsh": "'-" + name + "[", "powershell": "'-" + name + "'"}[shell]
					if !strings.Contains(s, flagForm) {
						t.Errorf("the %s script lacks -%s of %s (as %q)", shell, name, r.name, flagForm)
					}
				}
			}
		})
	}
	if got := run(t, runOptions{}, "completion", "fish"); got.code != exitUsage || !strings.Contains(got.stderr, `no completion for "fish"`) {
		t.Errorf("completion fish: %s", got)
	}
}

// TestBashCompletion sources the bash script in bash and completes as
// bash would, word by word.
func TestBashCompletion(t *testing.T) {
	bash := testenv.LookPath(t, "bash", "bash")
	dir := t.TempDir()
	path := filepath.Join(dir, "rectify.bash")
	if err := os.WriteFile(path, []byte(script(t, "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "inventory.hcl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		line string
		want []string
	}{
		{"rectify pl", []string{"plan"}},
		{"rectify h", []string{"help", "history"}},
		{"rectify -log-level d", []string{"debug", "disabled"}},
		{"rectify plan -inv", []string{"-inventory"}},
		{"rectify plan --inv", []string{"-inventory"}},
		{"rectify plan -inventory inv", []string{"inventory.hcl"}},
		{"rectify -log-format json plan -inventory inv", []string{"inventory.hcl"}},
		{"rectify watch -mode c", []string{"correct"}},
		{"rectify help hi", []string{"history"}},
		{"rectify completion ", []string{"bash", "powershell", "zsh"}},
		{"rectify fmt -ch", []string{"-check"}},
		{"rectify version ", nil},
	} {
		t.Run(tt.line, func(t *testing.T) {
			words := strings.Split(tt.line, " ")
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, shellWord(w))
			}
			prog := "source " + shellWord(path) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + itoa(len(words)-1) +
				"\n_rectify\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var exit *exec.ExitError
			if errors.As(err, &exit) || stderr.Len() > 0 {
				t.Fatalf("bash: %v\n%s", err, stderr.String())
			}
			var got []string
			got = append(got, strings.Fields(string(out))...)
			sort.Strings(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("completions (-want +got):\n%s", diff)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestZshCompletionParses checks the zsh script's syntax with zsh -n.
func TestZshCompletionParses(t *testing.T) {
	zsh := testenv.LookPath(t, "zsh", "zsh")
	path := filepath.Join(t.TempDir(), "_rectify")
	if err := os.WriteFile(path, []byte(script(t, "zsh")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(zsh, "-n", path).CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, out)
	}
}

// TestPowerShellCompletionParses parses the PowerShell script with
// tree-sitter-powershell (tools/pscheck), as CI checks the ops' scripts.
func TestPowerShellCompletionParses(t *testing.T) {
	node := testenv.LookPath(t, "node", "nodejs")
	checker := "../../tools/pscheck/pscheck.mjs"
	if _, err := os.Stat("../../tools/pscheck/node_modules/web-tree-sitter"); err != nil {
		testenv.Unavailable(t, "tree-sitter-powershell", "tools/pscheck/node_modules is missing; run npm ci --prefix tools/pscheck")
	}
	path := filepath.Join(t.TempDir(), "rectify.ps1")
	if err := os.WriteFile(path, []byte(script(t, "powershell")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, checker, path).CombinedOutput(); err != nil {
		t.Errorf("pscheck: %v\n%s", err, out)
	}
}

// TestManPageCoversTheCommandTable checks that rectify help -man
// documents every command and every flag.
func TestManPageCoversTheCommandTable(t *testing.T) {
	got := run(t, runOptions{}, "help", "-man")
	if got.code != exitOK || !strings.HasPrefix(got.stdout, ".TH RECTIFY 1") {
		t.Fatalf("help -man: %s", got)
	}
	for _, r := range commandRefs() {
		if !strings.Contains(got.stdout, ".SS rectify "+roffText(r.name)+"\n") {
			t.Errorf("the manual page lacks the command %s", r.name)
		}
		for _, name := range allFlagNames(r) {
			if !strings.Contains(got.stdout, `"\-`+roffText(name)+`"`) && !strings.Contains(got.stdout, ".B \\-"+roffText(name)+"\n") {
				t.Errorf("the manual page lacks -%s", name)
			}
		}
	}
	for _, line := range strings.Split(got.stdout, "\n") {
		if strings.HasPrefix(line, "'") || (strings.HasPrefix(line, ".") && !strings.HasPrefix(line, ".TH") && !strings.HasPrefix(line, ".S") &&
			!strings.HasPrefix(line, ".B") && !strings.HasPrefix(line, ".I") && !strings.HasPrefix(line, ".TP") && !strings.HasPrefix(line, ".PP") &&
			!strings.HasPrefix(line, ".nf") && !strings.HasPrefix(line, ".fi")) {
			t.Errorf("a text line reads as a roff request: %q", line)
		}
	}
}
