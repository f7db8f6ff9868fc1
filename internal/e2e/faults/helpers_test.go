package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/cli"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/plans"
)

// fixture is a running lab with its inventory, the example playbook and a
// journal path in one directory.
type fixture struct {
	lab       *lab.Lab
	dir       string
	inventory string
	state     string
	env       map[string]string
}

// start serves the KB 979174 organisation on free loopback ports and
// writes its inventory (with extra, when not empty, appended: a winrm
// block's settings for example) and the example playbook.
func start(t *testing.T, winrmExtra string) *fixture {
	t.Helper()
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), lab.KB979174(), lab.Options{WinRMPort: lab.AnyPort, Dir: dir,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &fixture{lab: l, dir: dir, inventory: filepath.Join(dir, "inventory.hcl"), state: filepath.Join(dir, "journal.db"), env: l.Credentials()}
	if err := l.WriteInventory(f.inventory); err != nil {
		t.Fatal(err)
	}
	if winrmExtra != "" {
		src, err := os.ReadFile(f.inventory)
		if err != nil {
			t.Fatal(err)
		}
		out, ok := insertIntoBlock(string(src), "winrm {", winrmExtra)
		if !ok {
			t.Fatalf("the lab's inventory has no winrm block:\n%s", src)
		}
		if err := os.WriteFile(f.inventory, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := examples.WriteExchange454(filepath.Join(dir, "exchange-454")); err != nil {
		t.Fatal(err)
	}
	return f
}

// insertIntoBlock adds lines right after the line that opens a block.
func insertIntoBlock(src, opener, lines string) (string, bool) {
	i := strings.Index(src, opener)
	if i < 0 {
		return src, false
	}
	nl := strings.IndexByte(src[i:], '\n')
	if nl < 0 {
		return src, false
	}
	at := i + nl + 1
	return src[:at] + lines + "\n" + src[at:], true
}

// result is what one rectify command did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// rectify runs rectify in-process in the fixture's directory.
func (f *fixture) rectify(ctx context.Context, args ...string) result {
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
	code := cli.Run(ctx, args, env)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// plan saves a plan of the example playbook to fix.plan and returns it.
func (f *fixture) plan(t *testing.T) *plans.Plan {
	t.Helper()
	got := f.rectify(context.Background(), "plan", "-inventory", "inventory.hcl", "-state", f.state, "-out", "fix.plan", "exchange-454")
	if got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	p, err := plans.Read(filepath.Join(f.dir, "fix.plan"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// apply applies the saved plan.
func (f *fixture) apply(ctx context.Context) result {
	return f.rectify(ctx, "apply", "-state", f.state, "-window-override", "fault suite", "fix.plan")
}

// replan plans again, as JSON, and returns the addresses that plan a
// change, sorted.
func (f *fixture) replan(t *testing.T) []string {
	t.Helper()
	got := f.rectify(context.Background(), "plan", "-inventory", "inventory.hcl", "-state", f.state, "-json", "exchange-454")
	var p plans.Plan
	if err := json.Unmarshal([]byte(got.stdout), &p); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, got)
	}
	return changing(&p)
}

// changing returns the addresses of a plan's instances that plan a
// change, sorted.
func changing(p *plans.Plan) []string {
	var out []string
	for _, in := range p.Instances {
		if in.Error == "" && in.Change.Action.Changes() {
			out = append(out, in.Address)
		}
	}
	sort.Strings(out)
	return out
}

// history reads one run from rectify history -json.
func (f *fixture) history(t *testing.T, run string) (journal.RunRecord, []journal.ChangeRecord) {
	t.Helper()
	got := f.rectify(context.Background(), "history", "-json", "-state", f.state, run)
	if got.code != 0 {
		t.Fatalf("history: %s", got)
	}
	var out struct {
		Run     journal.RunRecord      `json:"run"`
		Changes []journal.ChangeRecord `json:"changes"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &out); err != nil {
		t.Fatalf("history -json: %v\n%s", err, got.stdout)
	}
	return out.Run, out.Changes
}

// kerberosKey is where the example playbook sets LogLevel.
const kerberosKey = lab.KerberosParametersKey

func mustHost(t *testing.T, f *fixture, name string) *lab.Host {
	t.Helper()
	h, ok := f.lab.Host(name)
	if !ok {
		t.Fatalf("no lab host %s", name)
	}
	return h
}
