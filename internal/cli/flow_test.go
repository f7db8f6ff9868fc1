package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/testenv"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// labFixture is a running lab with its inventory and the example playbook
// written to a directory, and a journal path there.
type labFixture struct {
	lab       *lab.Lab
	dir       string
	inventory string
	playbook  string
	state     string
	env       map[string]string
}

func startLab(t *testing.T, sc lab.Scenario) *labFixture {
	t.Helper()
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), sc, lab.Options{WinRMPort: lab.AnyPort, Dir: dir,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &labFixture{lab: l, dir: dir, inventory: filepath.Join(dir, "inventory.hcl"), playbook: filepath.Join(dir, "exchange-454"),
		state: filepath.Join(dir, "journal.db"), env: l.Credentials()}
	if err := l.WriteInventory(f.inventory); err != nil {
		t.Fatal(err)
	}
	if err := examples.WriteExchange454(f.playbook); err != nil {
		t.Fatal(err)
	}
	return f
}

// editPlaybook replaces the first match of pattern in the fixture's
// playbook with with; what names the edit in the failure when the
// playbook has no match.
func (f *labFixture) editPlaybook(t *testing.T, what string, pattern *regexp.Regexp, with string) {
	t.Helper()
	path := filepath.Join(f.playbook, "playbook.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	loc := pattern.FindIndex(src)
	if loc == nil {
		t.Fatalf("the example playbook has no %s", what)
	}
	edited := string(src[:loc[0]]) + with + string(src[loc[1]:])
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rectify runs rectify in-process against the fixture.
func (f *labFixture) rectify(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := Env{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		LookupEnv:     func(name string) (string, bool) { v, ok := f.env[name]; return v, ok },
		Getwd:         func() (string, error) { return f.dir, nil },
		IsTerminal:    func(io.Writer) bool { return false },
		TerminalWidth: func(io.Writer) int { return 0 },
		Actions:       builtin.Registry(),
		Version:       "v0.0.0-test",
	}
	code := Run(context.Background(), args, env)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (f *labFixture) hasSPN(account, spn string) bool {
	for _, s := range f.lab.SPNs(account) {
		if strings.EqualFold(s, spn) {
			return true
		}
	}
	return false
}

func (f *labFixture) history(t *testing.T, run string) (journal.RunRecord, []journal.ChangeRecord) {
	t.Helper()
	got := f.rectify(t, "history", "-json", "-state", f.state, run)
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

func TestPlanSaveShowApplyThenNothingLeft(t *testing.T) {
	f := startLab(t, lab.KB979174())
	got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "fix.plan", "-detailed-exitcode", "exchange-454")
	if got.code != exitChanges {
		t.Fatalf("first plan: %s", got)
	}
	for _, want := range []string{"step.smtp[ex01]", "will be updated in place", "step.ports[ex02]", "is blocked", "Plan: 2 to create, 2 to update, 0 to delete, 7 to run, 2 blocked."} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("plan output lacks %q\n%s", want, got)
		}
	}
	for _, format := range [][]string{{}, {"-json"}, {"-markdown"}} {
		show := f.rectify(t, append(append([]string{"show"}, format...), "fix.plan")...)
		if show.code != 0 || !strings.Contains(show.stdout, "exchange-454") {
			t.Errorf("show %v: %s", format, show)
		}
	}
	if got := f.rectify(t, "show", "-json", "fix.plan"); got.code == 0 {
		var p plans.Plan
		if err := json.Unmarshal([]byte(got.stdout), &p); err != nil || p.Playbook.Name != "exchange-454" {
			t.Errorf("show -json is not the plan: %v", err)
		}
	}

	// Outside the Saturday window apply refuses and changes nothing.
	refused := f.rectify(t, "apply", "-state", "journal.db", "fix.plan")
	if refused.code != exitRefused || !strings.Contains(refused.stderr, "outside the playbook's change windows") {
		t.Fatalf("apply outside the window: %s", refused)
	}
	if f.hasSPN("EX01$", "SMTPSVC/EX01") {
		t.Fatalf("a refused apply changed EX01$: %v", f.lab.SPNs("EX01$"))
	}
	applied := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "CHG-4711 emergency", "fix.plan")
	if !strings.Contains(applied.stdout, "10 applied") {
		t.Fatalf("apply: %s", applied)
	}
	run, changes := f.history(t, "2")
	if run.WindowOverride != "CHG-4711 emergency" || len(changes) != 10 {
		t.Errorf("history of the apply: override %q, %d changes", run.WindowOverride, len(changes))
	}
	refusedRun, _ := f.history(t, "1")
	if refusedRun.Outcome != operation.Refused {
		t.Errorf("the refused apply is journaled as %q", refusedRun.Outcome)
	}

	// The operator's part, then the rest, then nothing is left.
	if err := f.lab.Unblock("ex02", "dc02", 88, "tcp"); err != nil {
		t.Fatal(err)
	}
	second := f.rectify(t, "apply", "-inventory", "inventory.hcl", "-state", "journal.db", "-auto-approve", "-window-override", "CHG-4711", "-var", "spn_conflicts=remove_from_other", "exchange-454")
	if second.code != 0 {
		t.Fatalf("second apply: %s", second)
	}
	last := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-detailed-exitcode", "-var", "spn_conflicts=remove_from_other", "exchange-454")
	if last.code != 0 || !strings.Contains(last.stdout, "No changes.") {
		t.Fatalf("plan after the fix: %s", last)
	}
}

func TestApplyStaleChangeAndEditedPlaybook(t *testing.T) {
	f := startLab(t, lab.KB979174())
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "fix.plan", "exchange-454"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	// Someone sets LogLevel on ex02 by hand between plan and apply: the
	// planned create no longer matches what is there.
	ex02, _ := f.lab.Host("ex02")
	if err := ex02.SetRegistryValue(lab.KerberosParametersKey, "LogLevel", lab.RegistryValue{Kind: "DWord", Data: uint32(3)}); err != nil {
		t.Fatal(err)
	}
	got := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "fix.plan")
	if !strings.Contains(got.stdout, "step.kerberos_log[ex02]: stale") {
		t.Errorf("moved registry value not reported stale:\n%s", got)
	}
	if !strings.Contains(got.stdout, "9 applied") {
		t.Errorf("the other changes were not applied:\n%s", got)
	}
	if v, _, _ := ex02.RegistryValue(lab.KerberosParametersKey, "LogLevel"); v.Data != uint32(3) {
		t.Errorf("a stale change was made anyway: LogLevel = %v", v.Data)
	}

	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "again.plan", "exchange-454"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	// What the playbook does is what counts: the digest is of the
	// evaluated playbook, not of its bytes.
	pb := filepath.Join(f.playbook, "playbook.hcl")
	src, _ := os.ReadFile(pb)
	edited := strings.Replace(string(src), `default     = "4m"`, `default     = "3m"`, 1)
	if edited == string(src) {
		t.Fatal("the example playbook has no max_skew default of 4m to edit")
	}
	if err := os.WriteFile(pb, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	before := len(f.lab.Received("ex01"))
	got = f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "again.plan")
	if got.code != exitRefused || !strings.Contains(got.stderr, "the playbook changed since the plan was made") {
		t.Errorf("apply of a plan whose playbook changed: %s", got)
	}
	if after := len(f.lab.Received("ex01")); after != before {
		t.Errorf("apply of a plan whose playbook changed read ex01 (%d commands)", after-before)
	}
}

func TestUnreachableHostIsAnErrorAndApplyLeavesItAlone(t *testing.T) {
	f := startLab(t, lab.KB979174())
	if err := f.lab.SetWinRMFaults("ex01", wsman.Faults{Unreachable: true}); err != nil {
		t.Fatal(err)
	}
	got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "fix.plan", "exchange-454")
	if got.code != 1 || !strings.Contains(got.stdout, "host ex01 could not be read") {
		t.Fatalf("plan with ex01 unreachable: %s", got)
	}
	if err := f.lab.SetWinRMFaults("ex01", wsman.Faults{}); err != nil {
		t.Fatal(err)
	}
	f.rectify(t, "apply", "-state", "journal.db", "-window-override", "test", "fix.plan")
	for _, rec := range f.lab.Received("ex01") {
		switch rec.Op {
		case "registry.set", "time.resync", "exchange.connector.add_auth", "exchange.queue.retry":
			t.Errorf("apply changed ex01, which could not be read during plan: %s", rec.Op)
		}
	}
	if f.hasSPN("EX01$", "SMTPSVC/EX01") {
		t.Errorf("apply added SPNs to ex01's account, which could not be read during plan: %v", f.lab.SPNs("EX01$"))
	}
}

func TestSecondApplyRefusesWhileTheFirstHoldsTheLock(t *testing.T) {
	f := startLab(t, lab.KB979174())
	j, err := journal.Open(context.Background(), filepath.Join(f.dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	holder, _ := j.StartRun(context.Background(), operation.RunInfo{Kind: operation.KindApply, Playbook: "exchange-454"})
	lease, err := j.LockHosts(context.Background(), holder, []string{"ex01.corp.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	got := f.rectify(t, "apply", "-inventory", "inventory.hcl", "-state", "journal.db", "-auto-approve", "-window-override", "test", "exchange-454")
	if got.code != exitRefused || !strings.Contains(got.stderr, "another run holds the lock") || !strings.Contains(got.stderr, "run 1 by") {
		t.Fatalf("second apply: %s", got)
	}
	if f.hasSPN("EX01$", "SMTPSVC/EX01") {
		t.Errorf("the refused apply changed EX01$: %v", f.lab.SPNs("EX01$"))
	}
	lease.Release(context.Background())
	if got := f.rectify(t, "history", "-state", "journal.db"); got.code != 0 || !strings.Contains(got.stdout, "refused") {
		t.Errorf("history after the refusal: %s", got)
	}
}

// TestKilledApplyLeavesInFlightRecord kills a real rectify process with
// SIGKILL in the middle of an apply over a slow lab.
func TestKilledApplyLeavesInFlightRecord(t *testing.T) {
	testenv.SkipShort(t, "builds and kills the rectify binary")
	root, _ := filepath.Abs("../..")
	bin := filepath.Join(t.TempDir(), "rectify")
	build := exec.Command(testenv.GoTool(t), "build", "-o", bin, "./cmd/rectify")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f := startLab(t, lab.KB979174())
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "fix.plan", "exchange-454"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	// Every WinRM answer of ex02 now takes a second: the apply is in the
	// middle of a change there when it is killed.
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Latency: time.Second}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "apply", "-state", "journal.db", "-window-override", "kill test", "fix.plan")
	cmd.Dir = f.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a change on ex02 is in flight, as the journal says.
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err := journal.Open(context.Background(), filepath.Join(f.dir, "journal.db"))
		inFlight := false
		if err == nil {
			_, changes, err := j.Run(context.Background(), 1)
			if err == nil {
				for _, c := range changes {
					inFlight = inFlight || (c.Status == journal.InFlight && c.Host == "ex02")
				}
			}
			j.Close()
		}
		if inFlight {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no change on ex02 went in flight:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the killed apply ended with %v", err)
	}
	if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{}); err != nil {
		t.Fatal(err)
	}

	run, changes := f.history(t, "1")
	if !run.Unfinished {
		t.Errorf("the killed run is not shown as unfinished: %+v", run)
	}
	var inFlight []string
	for _, c := range changes {
		if c.Status == journal.InFlight {
			inFlight = append(inFlight, c.Address)
		}
	}
	if len(inFlight) != 1 {
		t.Fatalf("in-flight changes after the kill: %v", inFlight)
	}
	text := f.rectify(t, "history", "-state", "journal.db", "1")
	if !strings.Contains(text.stdout, "unfinished") || !strings.Contains(text.stdout, "in-flight") {
		t.Errorf("history does not say the run was cut short:\n%s", text)
	}
	// A new plan shows what remains: the changes never made, and the one in
	// flight only if it did not land.
	again := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-json", "exchange-454")
	var p plans.Plan
	if err := json.Unmarshal([]byte(again.stdout), &p); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, again)
	}
	applied := map[string]bool{}
	for _, c := range changes {
		if c.Status == "applied" {
			applied[c.Address] = true
		}
	}
	for _, in := range p.Instances {
		if applied[in.Address] && in.Change.Action.Changes() && in.Step != "queues" && in.Step != "replication" {
			t.Errorf("%s was applied before the kill but plans a change again", in.Address)
		}
	}
	if !p.HasChanges() {
		t.Error("the plan after the kill has nothing left, although the apply was cut short")
	}
}

func TestHistoryDriftListsWhatWatchSaw(t *testing.T) {
	f := startLab(t, lab.KB979174())
	watch := f.rectify(t, "watch", "-inventory", "inventory.hcl", "-state", "journal.db", "-once", "-mode", "monitor", "exchange-454")
	if !strings.Contains(watch.stdout+watch.stderr, "step.smtp[ex01]") {
		t.Fatalf("watch -once did not report the missing SPNs: %s", watch)
	}
	got := f.rectify(t, "history", "-drift", "-json", "-state", "journal.db")
	if got.code != 0 {
		t.Fatalf("history -drift: %s", got)
	}
	var recs []drift.Episode
	if err := json.Unmarshal([]byte(got.stdout), &recs); err != nil {
		t.Fatalf("history -drift -json: %v\n%s", err, got.stdout)
	}
	found := false
	for _, r := range recs {
		if r.Address == "step.smtp[ex01]" && r.Open() && !r.FirstSeen.IsZero() {
			found = true
		}
	}
	if !found {
		t.Errorf("the missing SPNs of ex01 are not in the drift history: %+v", recs)
	}
	text := f.rectify(t, "history", "-drift", "-state", "journal.db", "-open")
	if !strings.Contains(text.stdout, "step.smtp[ex01] (update)") || !strings.Contains(text.stdout, "still drifting") {
		t.Errorf("history -drift text:\n%s", text)
	}
	if f.hasSPN("EX01$", "SMTPSVC/EX01") {
		t.Error("monitor mode changed the directory")
	}
}
