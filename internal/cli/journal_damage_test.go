package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/plans"
)

// TestDamagedJournalFailsEveryCommand: with the whole fix applied and the
// Kerberos LogLevel past its expiry, plan -detailed-exitcode plans the
// revert. Once the journal is damaged, plan, apply, watch and history fail
// naming the file; none of them claims "No changes", and the value due to
// be reverted is neither forgotten nor touched.
func TestDamagedJournalFailsEveryCommand(t *testing.T) {
	f := startLab(t, lab.KB979174())
	if err := f.lab.Unblock("ex02", "dc02", 88, "tcp"); err != nil {
		t.Fatal(err)
	}
	fix := []string{"-inventory", "inventory.hcl", "-state", "journal.db", "-var", "spn_conflicts=remove_from_other"}
	if got := f.rectify(t, append(append([]string{"apply", "-auto-approve", "-window-override", "test"}, fix...), "exchange-454")...); got.code != 0 {
		t.Fatalf("apply: %s", got)
	}
	if got := f.rectify(t, append(append([]string{"plan", "-detailed-exitcode"}, fix...), "exchange-454")...); got.code != 0 || !strings.Contains(got.stdout, "No changes.") {
		t.Fatalf("plan after the fix: %s", got)
	}
	expireKerberosLog(t, f.state)
	intact := f.rectify(t, append(append([]string{"plan", "-detailed-exitcode", "-json"}, fix...), "exchange-454")...)
	if intact.code != exitChanges {
		t.Fatalf("plan with the expired LogLevel: %s", intact)
	}
	var p plans.Plan
	if err := json.Unmarshal([]byte(intact.stdout), &p); err != nil {
		t.Fatal(err)
	}
	var reverts []string
	for _, in := range p.Instances {
		if in.Change.Revert {
			reverts = append(reverts, in.Address)
		}
	}
	if strings.Join(reverts, " ") != "step.kerberos_log[ex01] step.kerberos_log[ex02]" {
		t.Fatalf("reverts planned from the intact journal: %q", reverts)
	}

	raw, err := os.ReadFile(f.state)
	if err != nil {
		t.Fatal(err)
	}
	for _, damage := range []struct {
		name    string
		content []byte
	}{
		{"truncated", raw[:len(raw)/2]},
		{"garbage", []byte(strings.Repeat("not a journal\n", 4096))},
	} {
		if err := os.WriteFile(f.state, damage.content, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			append(append([]string{"plan", "-detailed-exitcode"}, fix...), "exchange-454"),
			append(append([]string{"apply", "-auto-approve", "-window-override", "test"}, fix...), "exchange-454"),
			append(append([]string{"watch", "-once", "-mode", "correct"}, fix...), "exchange-454"),
			{"history", "-state", "journal.db"},
		} {
			t.Run(damage.name+"/"+args[0], func(t *testing.T) {
				got := f.rectify(t, args...)
				if got.code != exitError {
					t.Errorf("exit code %d, want %d\n%s", got.code, exitError, got)
				}
				// Paths are shown as the command resolved them.
				if want := "the journal " + resolvePath(f.dir, "journal.db") + " cannot be read"; !strings.Contains(got.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got)
				}
				if strings.Contains(got.stdout, "No changes") || strings.Contains(got.stdout, "Applying") {
					t.Errorf("the command went on without the journal:\n%s", got)
				}
			})
		}
		for _, h := range []string{"ex01", "ex02"} {
			host, _ := f.lab.Host(h)
			if v, _, ok := host.RegistryValue(kerberosParameters, "LogLevel"); !ok || v.Data != uint32(1) {
				t.Errorf("%s: LogLevel = %v (%v) after commands over a %s journal, want 1 until a revert", h, v.Data, ok, damage.name)
			}
		}
	}
}

// kerberosParameters is the key of the example's kerberos_log step.
const kerberosParameters = `HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`

// expireKerberosLog moves the expiry of the journaled LogLevel changes an
// hour into the past, as if the 24 hours had gone by.
func expireKerberosLog(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(context.Background(), `UPDATE changes SET planned = json_set(planned, '$.expires', '2020-01-01T00:00:00Z') WHERE step = 'kerberos_log' AND status = 'applied'`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 2 {
		t.Fatalf("%d LogLevel changes in the journal, want 2", n)
	}
	if _, err := db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}
