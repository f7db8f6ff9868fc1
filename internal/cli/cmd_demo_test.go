package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/actions/builtin"
)

// TestDemo runs "rectify demo" in-process: the whole story, exit 0, and
// nothing left behind.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	env := Env{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		LookupEnv:     func(string) (string, bool) { return "", false },
		Getwd:         func() (string, error) { return dir, nil },
		IsTerminal:    func(io.Writer) bool { return false },
		TerminalWidth: func(io.Writer) int { return 0 },
		Actions:       builtin.Registry(),
		Version:       "v0.0.0-test",
	}
	code := Run(context.Background(), []string{"demo", "-dir", dir + "/demo"}, env)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("demo exited %d\n%s\n%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"451 4.4.0 Primary target IP address responded with: \"454 4.7.0 Temporary authentication failure.\"",
		"step.ports[ex02] (net.kerberos_ports): network path from ex02 to its domain controllers is blocked",
		"step.smtp[ex02] (ad.spn): computer account EX02$ is blocked",
		"Apply finished with problems",
		"What the operator does",
		"Apply complete!",
		"EX01\\3 -> ",
		"no new event 1035 since the last reading",
		"No changes. Every host is in the state the playbook describes.",
		"window override: \"rectify demo on the simulated lab\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if strings.Count(out, "Last Error:") != 4 {
		t.Errorf("the symptom is shown %d times, want 4 (twice before the operator's part, never after)", strings.Count(out, "Last Error:"))
	}
	if _, err := os.Stat(dir + "/demo/journal.db"); err != nil {
		t.Errorf("-dir did not keep the journal: %v", err)
	}
}
