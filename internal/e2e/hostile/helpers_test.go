package hostile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/cli"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/ops"
)

// fixture is a running lab, its inventory and a working directory.
type fixture struct {
	lab       *lab.Lab
	dir       string
	inventory string
	env       map[string]string
}

func start(t *testing.T, sc lab.Scenario) *fixture {
	t.Helper()
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), sc, lab.Options{WinRMPort: lab.AnyPort, Dir: dir,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &fixture{lab: l, dir: dir, inventory: filepath.Join(dir, "inventory.hcl"), env: l.Credentials()}
	if err := l.WriteInventory(f.inventory); err != nil {
		t.Fatal(err)
	}
	return f
}

// result is one in-process run of rectify.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, clip(r.stdout), clip(r.stderr))
}

// clip shortens output that holds 64 KB values for failure messages.
func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + fmt.Sprintf("\n... (%d bytes more)\n", len(s)-4000)
	}
	return s
}

func (f *fixture) rectify(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := cli.Env{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		LookupEnv:     func(name string) (string, bool) { v, ok := f.env[name]; return v, ok },
		Getwd:         func() (string, error) { return f.dir, nil },
		IsTerminal:    func(io.Writer) bool { return false },
		TerminalWidth: func(io.Writer) int { return 0 },
		Actions:       builtin.Registry(),
		Version:       "v0.0.0-test",
	}
	code := cli.Run(context.Background(), args, env)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// write writes a file under the fixture's directory and returns its path.
func (f *fixture) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeExample copies the example playbook to dir/exchange-454.
func (f *fixture) writeExample(t *testing.T) string {
	t.Helper()
	if err := examples.WriteExchange454(filepath.Join(f.dir, "exchange-454")); err != nil {
		t.Fatal(err)
	}
	return "exchange-454"
}

// editInventory rewrites the lab's inventory into name, letting edit change
// host blocks with hclwrite (so that hostile values are written as escaped
// HCL strings, never spliced).
func (f *fixture) editInventory(t *testing.T, name string, edit func(host string, b *hclwrite.Block)) string {
	t.Helper()
	src, err := os.ReadFile(f.inventory)
	if err != nil {
		t.Fatal(err)
	}
	file, diags := hclwrite.ParseConfig(src, f.inventory, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, b := range file.Body().Blocks() {
		if b.Type() == "host" {
			edit(b.Labels()[0], b)
		}
	}
	f.write(t, name, file.Bytes())
	return name
}

// history returns the journal's record of one run.
func (f *fixture) history(t *testing.T, state, run string) (journal.RunRecord, []journal.ChangeRecord) {
	t.Helper()
	got := f.rectify(t, "history", "-json", "-state", state, run)
	if got.code != 0 {
		t.Fatalf("history: %s", got)
	}
	var out struct {
		Run     journal.RunRecord      `json:"run"`
		Changes []journal.ChangeRecord `json:"changes"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &out); err != nil {
		t.Fatalf("history -json: %v\n%s", err, clip(got.stdout))
	}
	return out.Run, out.Changes
}

// runs returns the journal's list of runs.
func (f *fixture) runs(t *testing.T, state string) []journal.RunRecord {
	t.Helper()
	got := f.rectify(t, "history", "-json", "-state", state)
	if got.code != 0 {
		t.Fatalf("history: %s", got)
	}
	var runs []journal.RunRecord
	if err := json.Unmarshal([]byte(got.stdout), &runs); err != nil {
		t.Fatalf("history -json: %v\n%s", err, clip(got.stdout))
	}
	return runs
}

// received returns every op record of every host of the lab.
func (f *fixture) received() map[string][]lab.OpRecord {
	out := map[string][]lab.OpRecord{}
	for _, h := range f.lab.Org().Hosts() {
		if recs := f.lab.Received(h.Name); len(recs) > 0 {
			out[h.Name] = recs
		}
	}
	return out
}

// receivedNothing fails the test when any host received any command.
func (f *fixture) receivedNothing(t *testing.T) {
	t.Helper()
	for host, recs := range f.received() {
		for _, r := range recs {
			t.Errorf("%s received %s although the input was refused", host, r.Op)
		}
	}
}

// checkInert checks every op every host received: the op is one of the
// library's, or the batch of them, and dangerous appears, if at all, only
// as (part of) a string inside the decoded JSON arguments. It returns the
// ops in which it appeared, by host.
func (f *fixture) checkInert(t *testing.T, dangerous string) map[string][]string {
	t.Helper()
	known := ops.Ops()
	carried := map[string][]string{}
	for host, recs := range f.received() {
		for _, r := range recs {
			if !slices.Contains(known, r.Op) {
				t.Errorf("%s ran %q, which is not an op of the library", host, r.Op)
			}
			if strings.Contains(r.Op, dangerous) {
				t.Errorf("%s: the op name carries the hostile value: %q", host, r.Op)
			}
			var args any
			if err := json.Unmarshal(r.Args, &args); err != nil {
				t.Errorf("%s %s: the arguments are not JSON: %v", host, r.Op, err)
				continue
			}
			if inStrings(args, dangerous) {
				carried[host] = append(carried[host], r.Op)
			}
		}
	}
	return carried
}

// inStrings reports whether s is within a string value of v (a decoded
// JSON document), keys included.
func inStrings(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, s)
	case []any:
		for _, e := range x {
			if inStrings(e, s) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.Contains(k, s) || inStrings(e, s) {
				return true
			}
		}
	}
	return false
}

// opNames lists the ops a host received, in order.
func opNames(recs []lab.OpRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Op)
	}
	return out
}

// str is an HCL string literal of s, for hclwrite.
func str(s string) cty.Value { return cty.StringVal(s) }

func readFile(t *testing.T, f *fixture, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
