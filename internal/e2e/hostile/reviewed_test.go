package hostile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// forge rewrites the plan file src into dst as someone who knows the
// format would: decoded, edited, and written back by plans.Write, so the
// digest matches and the content is canonical. Only apply's re-plan can
// tell it from a plan rectify made.
func (f *fixture) forge(t *testing.T, src, dst string, edit func(p *plans.Plan)) {
	t.Helper()
	raw := readFile(t, f, src)
	var file struct {
		Plan json.RawMessage `json:"plan"`
	}
	if err := json.Unmarshal([]byte(raw), &file); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, file.Plan); err != nil {
		t.Fatal(err)
	}
	var p plans.Plan
	if err := json.Unmarshal(body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	edit(&p)
	if err := plans.Write(filepath.Join(f.dir, dst), &p); err != nil {
		t.Fatal(err)
	}
	if _, err := plans.Read(filepath.Join(f.dir, dst)); err != nil {
		t.Fatalf("the forged plan is not a valid plan file, so the test proves nothing: %v", err)
	}
}

// planned returns the plan's instance at addr.
func planned(t *testing.T, p *plans.Plan, addr string) *plans.Instance {
	t.Helper()
	for i := range p.Instances {
		if p.Instances[i].Address == addr {
			return &p.Instances[i]
		}
	}
	t.Fatalf("the plan has no %s", addr)
	return nil
}

// mutating are the ops that change a host.
var mutating = []string{ops.RegistrySet, ops.RegistryDelete, ops.TimeResync, ops.ReplSyncAll, ops.ConnectorAddAuth, ops.QueueRetry, "w32tm", "repadmin"}

// labState is what a refused apply must leave as it was.
type labState struct {
	directory uint64
	changes   map[string]int
}

func (f *fixture) state() labState {
	s := labState{directory: f.lab.Directory().Version(), changes: map[string]int{}}
	for h, recs := range f.received() {
		for _, r := range recs {
			if slices.Contains(mutating, r.Op) || strings.HasPrefix(r.Op, "user.") && (strings.HasSuffix(r.Op, "_set") || strings.HasSuffix(r.Op, "_apply")) {
				s.changes[h]++
			}
		}
	}
	return s
}

// unchanged fails the test when the lab changed since before.
func (f *fixture) unchanged(t *testing.T, before labState) {
	t.Helper()
	after := f.state()
	if after.directory != before.directory {
		t.Errorf("the directory was written (update sequence %d -> %d)", before.directory, after.directory)
	}
	for h, n := range after.changes {
		if n != before.changes[h] {
			t.Errorf("%s received %d changing command(s)", h, n-before.changes[h])
		}
	}
}

// dnOf returns the distinguished name of the account called sam.
func (f *fixture) dnOf(t *testing.T, sam string) string {
	t.Helper()
	for _, e := range f.lab.Directory().ChangedSince(0) {
		if strings.EqualFold(e.Get("sAMAccountName"), sam) {
			return e.DN
		}
	}
	t.Fatalf("the lab has no account %s", sam)
	return ""
}

// TestForgedPlansAreRefusedWhole edits a saved plan of the KB playbook as
// an attacker would, recomputing its digest: a registry value under
// ...\CurrentVersion\Run instead of LogLevel, the SPN change turned into
// the removal of a domain controller's SPNs, the reviewed blocked SPN
// conflict turned into a removal from the other account, and a blocked
// finding turned into no finding so that what waits for it runs. show
// displays the forgery (it renders what apply would be asked to run), and
// apply refuses the whole plan before anything is changed: the directory's
// update sequence and every host's changing commands are as before.
func TestForgedPlansAreRefusedWhole(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "good.plan", pb); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	dc01, ex02, ex02old := f.dnOf(t, "DC01$"), f.dnOf(t, "EX02$"), f.dnOf(t, "EX02-OLD$")
	dcSPNs := f.lab.SPNs("DC01$")
	if len(dcSPNs) == 0 {
		t.Fatal("DC01$ holds no SPN to protect")
	}
	const run = `HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`
	tests := []struct {
		name  string
		edit  func(p *plans.Plan)
		shows string
		want  string
	}{
		{
			name: "registry value under Run",
			edit: func(p *plans.Plan) {
				in := planned(t, p, "step.kerberos_log[ex01]")
				in.Change.Object = run + `\Updater`
				in.Change.Payload = json.RawMessage(`{"data":"C:\\Users\\Public\\evil.exe","expect":{"exists":false,"key_exists":true},"kind":"String","name":"Updater","path":` + quote(run) + `}`)
			},
			shows: `CurrentVersion\\Run`,
			want:  "step.kerberos_log[ex01]: the object and payload of the create differ",
		},
		{
			name: "SPNs removed from a domain controller",
			edit: func(p *plans.Plan) {
				in := planned(t, p, "step.smtp[ex01]")
				from, _ := json.Marshal([]map[string]any{{"dn": dc01, "remove": dcSPNs}})
				in.Change.Payload = json.RawMessage(`{"dn":` + quote(dc01) + `,"from":` + string(from) + `}`)
			},
			shows: dc01,
			want:  "step.smtp[ex01]: the payload of the update differ",
		},
		{
			name: "blocked conflict turned into a removal",
			edit: func(p *plans.Plan) {
				in := planned(t, p, "step.smtp[ex02]")
				if in.Change.Action != plans.Blocked {
					t.Fatalf("step.smtp[ex02] is %s in the plan, want blocked", in.Change.Action)
				}
				in.Change.Action = plans.Update
				in.Change.Attrs = []plans.Attr{{Name: "servicePrincipalName of EX02-OLD$", Before: []any{"SMTPSVC/ex02.corp.example.com"}}}
				in.Change.Payload = json.RawMessage(`{"add":["SMTPSVC/ex02.corp.example.com"],"dn":` + quote(ex02) + `,"from":[{"dn":` + quote(ex02old) + `,"remove":["SMTPSVC/ex02.corp.example.com"]}]}`)
			},
			shows: ex02old,
			want:  "step.smtp[ex02]: the action and attributes and payload of the update differ",
		},
		{
			name: "change to a step the playbook does not have",
			edit: func(p *plans.Plan) {
				in := planned(t, p, "step.kerberos_log[ex01]")
				cp := *in
				cp.Step, cp.Address = "backdoor", plans.Address("backdoor", "ex01")
				p.Instances = append(p.Instances, cp)
			},
			shows: "step.backdoor[ex01]",
			want:  `the playbook has no step "backdoor"`,
		},
		{
			name: "configuration of the step",
			edit: func(p *plans.Plan) {
				in := planned(t, p, "step.kerberos_log[ex01]")
				in.Config = json.RawMessage(strings.Replace(string(in.Config), `"LogLevel"`, `"Updater"`, 1))
			},
			want: "step.kerberos_log[ex01]: the recorded configuration differs from the step's",
		},
		{
			name: "change window opened",
			edit: func(p *plans.Plan) { p.Windows = nil },
			want: "the plan's change windows differ from the playbook's",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-") + ".plan"
			f.forge(t, "good.plan", name, tc.edit)
			if tc.shows != "" {
				show := f.rectify(t, "show", name)
				if show.code != 0 || !strings.Contains(show.stdout, tc.shows) {
					t.Errorf("show does not display what the forged plan asks for (%q): %s", tc.shows, show)
				}
			}
			before := f.state()
			state := strings.TrimSuffix(name, ".plan") + ".db"
			got := f.rectify(t, "apply", "-state", state, "-auto-approve", "-window-override", "forgery test", name)
			// Refused before any change: exit 5.
			if got.code != 5 || !strings.Contains(got.stderr, tc.want) || !strings.Contains(got.stderr, "none of it is applied") {
				t.Errorf("apply of the forged plan: want exit 5 and %q: %s", tc.want, got)
			}
			f.unchanged(t, before)
			if runs := f.runs(t, state); len(runs) != 1 || runs[0].Outcome != "refused" {
				t.Errorf("the journal holds %+v, want one refused run", runs)
			}
		})
	}
	if !slices.Equal(f.lab.SPNs("DC01$"), dcSPNs) || !slices.Contains(f.lab.SPNs("EX02-OLD$"), "SMTPSVC/ex02.corp.example.com") {
		t.Errorf("SPNs changed: DC01$ %v, EX02-OLD$ %v", f.lab.SPNs("DC01$"), f.lab.SPNs("EX02-OLD$"))
	}

	// The plan as made applies.
	got := f.rectify(t, "apply", "-state", "good.db", "-auto-approve", "-window-override", "forgery test", "good.plan")
	if !strings.Contains(got.stdout, "10 applied, 0 failed") {
		t.Errorf("the plan as made does not apply: %s", got)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// powershellPlaybook is a windows.powershell step whose scripts are files.
const powershellPlaybook = `playbook "scripts" {
  title = "A user's scripts"
}

step "windows.powershell" "tls" {
  targets = group.exchange
  check   = file("check.ps1")
  apply   = file("apply.ps1")
  desired = { enabled = true }
  object  = "TLS 1.2"
}
`

// TestForgedScriptIsRefused edits the windows.powershell change of a saved
// plan so that another apply script would run: in the recorded
// configuration, or in the payload's script digest and arguments. apply
// refuses each; the script that runs is always the playbook's, and only
// with what the playbook says.
func TestForgedScriptIsRefused(t *testing.T) {
	f := start(t, lab.KB979174())
	f.write(t, "pb/playbook.hcl", []byte(powershellPlaybook))
	f.write(t, "pb/check.ps1", []byte("# rectify:op user.tls v1\nparam($a)\n"))
	f.write(t, "pb/apply.ps1", []byte("# rectify:op user.tls_set v1\nparam($a)\n"))
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "good.plan", "pb"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	if show := f.rectify(t, "show", "good.plan"); !strings.Contains(show.stdout, "script_sha256") || !strings.Contains(show.stdout, `"user.tls_set v1"`) {
		t.Errorf("show does not name the script apply runs: %s", show)
	}
	evil := "# rectify:op user.evil_set v1\nparam($a)\n"
	sum := sha256.Sum256([]byte(evil))
	tests := []struct {
		name string
		edit func(in *plans.Instance, salt plans.Salt)
		want string
	}{
		{"another script in the configuration", func(in *plans.Instance, salt plans.Salt) {
			// The scripts come from file(), so the plan keeps their
			// salted hashes, which the forger can compute too.
			var cfg map[string]any
			if err := json.Unmarshal(in.Config, &cfg); err != nil {
				t.Fatal(err)
			}
			h, err := salt.HashValue(evil)
			if err != nil {
				t.Fatal(err)
			}
			cfg["apply"] = plans.Hidden(h)
			in.Config, _ = json.Marshal(cfg)
		}, "the recorded configuration differs"},
		{"another script digest and desired state", func(in *plans.Instance, _ plans.Salt) {
			p := strings.Replace(string(in.Change.Payload), `"enabled":true`, `"enabled":true,"also":"Remove-Item C:\\"`, 1)
			p = regexp.MustCompile(`"script_sha256":"[0-9a-f]*"`).ReplaceAllString(p, `"script_sha256":"`+hex.EncodeToString(sum[:])+`"`)
			in.Change.Payload = json.RawMessage(strings.Replace(p, "user.tls_set", "user.evil_set", 1))
		}, "the payload of the update differ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-") + ".plan"
			f.forge(t, "good.plan", name, func(p *plans.Plan) {
				before := string(planned(t, p, "step.tls[ex01]").Config) + string(planned(t, p, "step.tls[ex01]").Change.Payload)
				tc.edit(planned(t, p, "step.tls[ex01]"), p.Salt)
				if after := string(planned(t, p, "step.tls[ex01]").Config) + string(planned(t, p, "step.tls[ex01]").Change.Payload); after == before {
					t.Fatal("the edit changed nothing")
				}
			})
			before := f.state()
			got := f.rectify(t, "apply", "-state", name+".db", "-auto-approve", "-window-override", "forgery test", name)
			if got.code != 5 || !strings.Contains(got.stderr, tc.want) {
				t.Errorf("apply of the forged plan: want exit 5 and %q: %s", tc.want, got)
			}
			f.unchanged(t, before)
		})
	}
	got := f.rectify(t, "apply", "-state", "good.db", "-auto-approve", "-window-override", "forgery test", "good.plan")
	if got.code != 0 {
		t.Fatalf("the plan as made does not apply: %s", got)
	}
	for _, h := range f.lab.Exchange() {
		for _, r := range f.lab.Received(h) {
			if r.Op == "user.evil_set" {
				t.Errorf("%s ran the forged script", h)
			}
		}
	}
}

// TestSavedPlanRefusals: a saved plan is applied once, whole, with the
// variables it was made with, and not when older than -max-plan-age
// unless the override (journaled) says why.
func TestSavedPlanRefusals(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-var", "spn_conflicts=remove_from_other", "-out", "fix.plan", pb); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	before := f.state()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		// Mistakes in the command line exit 2; a plan too old is refused, 5.
		{"limit", []string{"-limit", "ex01"}, 2, "-limit cannot be used with a saved plan"},
		{"var", []string{"-var", "spn_conflicts=report"}, 2, "-var cannot be used with a saved plan"},
		{"var-file", []string{"-var-file", "x.vars"}, 2, "-var-file cannot be used with a saved plan"},
		{"old plan", []string{"-max-plan-age", "1ms"}, 5, "more than the 1ms allowed"},
	} {
		args := append(append([]string{"apply", "-state", "journal.db", "-auto-approve", "-window-override", "test"}, tc.args...), "fix.plan")
		got := f.rectify(t, args...)
		if got.code != tc.code || !strings.Contains(got.stderr, tc.want) {
			t.Errorf("%s: want exit %d and %q: %s", tc.name, tc.code, tc.want, got)
		}
	}
	f.forge(t, "fix.plan", "2019.plan", func(p *plans.Plan) { p.CreatedAt = p.CreatedAt.AddDate(-7, 0, 0) })
	if got := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "test", "2019.plan"); got.code != 5 || !strings.Contains(got.stderr, "-plan-age-override") {
		t.Errorf("a plan from 2019: %s", got)
	}
	f.unchanged(t, before)

	// The override is journaled; the plan is applied with the variable it
	// was made with (the duplicate SPN is removed from EX02-OLD$).
	got := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "test", "-max-plan-age", "1ms", "-plan-age-override", "CHG-1 approved late", "fix.plan")
	if !strings.Contains(got.stdout, "The plan's age limit is overridden") || slices.Contains(f.lab.SPNs("EX02-OLD$"), "SMTPSVC/ex02.corp.example.com") {
		t.Errorf("apply with the age override and the plan's variable: %s", got)
	}
	runs := f.runs(t, "journal.db")
	applied := runs[0]
	if applied.PlanAgeOverride != "CHG-1 approved late" || applied.Outcome == "refused" {
		t.Errorf("the apply's run: %+v", applied)
	}
	if h := f.rectify(t, "history", "-state", "journal.db"); !strings.Contains(h.stdout, `plan age override: "CHG-1 approved late"`) {
		t.Errorf("history does not show the plan age override: %s", h)
	}

	// Applied once: a replay is refused, and journaled as refused.
	before = f.state()
	replay := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "test", "-plan-age-override", "again", "fix.plan")
	if replay.code != 5 || !strings.Contains(replay.stderr, "already applied by run") {
		t.Errorf("replay: %s", replay)
	}
	f.unchanged(t, before)
	if runs := f.runs(t, "journal.db"); runs[0].Outcome != "refused" || !strings.Contains(runs[0].Summary, "already applied") {
		t.Errorf("the replay is journaled as %+v", runs[0])
	}
}

// TestEnvRedirectedInventoryIsRefused plans with an inventory whose LDAP
// URL and one host's address come from env(), then points them elsewhere
// (another real directory of the lab, another host's endpoint) before
// apply: the evaluated inventory differs, and apply refuses before any
// host or directory is contacted.
func TestEnvRedirectedInventoryIsRefused(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	src := readFile(t, f, "inventory.hcl")
	url := "ldaps://" + f.lab.LDAPAddr(f.lab.DCs()[0], ldapd.LDAPS)
	if !strings.Contains(src, quote(url)) {
		t.Fatalf("the lab's inventory has no LDAP URL %s:\n%s", url, src)
	}
	f.write(t, "env.hcl", []byte(strings.Replace(src, quote(url), `env("LAB_LDAP_URL")`, 1)))
	f.env["LAB_LDAP_URL"] = url
	if got := f.rectify(t, "plan", "-inventory", "env.hcl", "-out", "fix.plan", pb); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	other := "ldaps://" + f.lab.LDAPAddr(f.lab.DCs()[1], ldapd.LDAPS)
	if other == url {
		t.Fatal("the lab's DCs share one LDAP address")
	}
	f.env["LAB_LDAP_URL"] = other
	contacts := func() (n int64) {
		for _, dc := range f.lab.DCs() {
			n += f.lab.LDAPStats(dc).Connections
		}
		for _, h := range f.lab.Org().Hosts() {
			n += int64(len(f.lab.Received(h.Name)))
		}
		return n
	}
	before, state := contacts(), f.state()
	got := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "test", "fix.plan")
	if got.code != 5 || !strings.Contains(got.stderr, "the inventory changed since the plan was made") {
		t.Errorf("apply with the LDAP URL pointed elsewhere: %s", got)
	}
	if after := contacts(); after != before {
		t.Errorf("apply contacted hosts or directories (%d) before refusing", after-before)
	}
	f.unchanged(t, state)
	if _, err := os.Stat(filepath.Join(f.dir, "fix.plan")); err != nil {
		t.Fatal(err)
	}
	// Pointed back, the same plan applies.
	f.env["LAB_LDAP_URL"] = url
	if got := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "-window-override", "test", "fix.plan"); !strings.Contains(got.stdout, "10 applied, 0 failed") {
		t.Errorf("apply with the reviewed LDAP URL: %s", got)
	}
}
