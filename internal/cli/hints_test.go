package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/examples"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/pki"
)

// TestHintsAgainstTheLab makes the lab's WinRM hosts and domain
// controllers refuse rectify over real sockets, as a domain would, and
// checks that plan says what to do: a 401 from every host names the
// variables the inventory reads the WinRM credentials from; LDAP result
// 49 with data 52e (wrong password) and 775 (locked out) say which, from
// the type of the bind's error. Nothing of the secrets is printed.
func TestHintsAgainstTheLab(t *testing.T) {
	f := startLab(t, lab.KB979174())
	const wrong = "Wrong-password-7"
	tests := []struct {
		name string
		// before breaks something; it returns what mends it.
		before func() func()
		want   []string
		absent []string
	}{
		{
			name: "WinRM 401 on every host",
			before: func() func() {
				good := f.env[lab.EnvWinRMPassword]
				f.env[lab.EnvWinRMPassword] = wrong
				return func() { f.env[lab.EnvWinRMPassword] = good }
			},
			want: []string{"Hint: every host refused rectify's WinRM logon (HTTP 401): check RECTIFY_WINRM_USER and RECTIFY_WINRM_PASSWORD " +
				"(the inventory's winrm username and password) and the account's rights"},
			absent: []string{"LDAP bind"},
		},
		{
			name: "LDAP data 52e",
			before: func() func() {
				good := f.env[lab.EnvLDAPPassword]
				f.env[lab.EnvLDAPPassword] = wrong
				return func() { f.env[lab.EnvLDAPPassword] = good }
			},
			want: []string{"Hint: the domain controller of corp.example.com refused the LDAP bind: the user name or password is wrong (data 52e); " +
				"check RECTIFY_LDAP_USER and RECTIFY_LDAP_PASSWORD (the inventory's ldap bind_user and password)."},
			absent: []string{"WinRM logon", "locked out"},
		},
		{
			name: "LDAP data 775",
			before: func() func() {
				f.lab.SetLDAPAccountLockedOut(true)
				return func() { f.lab.SetLDAPAccountLockedOut(false) }
			},
			want: []string{"Hint: the domain controller of corp.example.com refused the LDAP bind: the account is locked out (data 775)",
				"check RECTIFY_LDAP_PASSWORD: wrong passwords"},
			absent: []string{"WinRM logon", "data 52e"},
		},
		{
			name:   "nothing wrong",
			before: func() func() { return func() {} },
			absent: []string{"Hint:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mend := tt.before()
			defer mend()
			got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
			for _, want := range tt.want {
				if !strings.Contains(got.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
				}
			}
			for _, absent := range tt.absent {
				if strings.Contains(got.stderr, absent) {
					t.Errorf("stderr has %q:\n%s", absent, got.stderr)
				}
			}
			for _, secret := range []string{wrong, f.lab.Password()} {
				if strings.Contains(got.stdout+got.stderr, secret) {
					t.Errorf("a password was printed:\n%s", got)
				}
			}
		})
	}
}

// TestCertificateHintsNameTheCAFile serves WinRM over HTTPS and LDAPS with
// the lab's CA while the inventory's ca_file holds another CA: every host
// and the directory fail the handshake, and the hints name the file.
func TestCertificateHintsNameTheCAFile(t *testing.T) {
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), lab.KB979174(), lab.Options{HTTPS: true, WinRMPort: lab.AnyPort, Dir: dir,
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
	other, err := pki.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "inventory-ca.pem")
	if err := other.WritePEM(caFile); err != nil {
		t.Fatal(err)
	}
	got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	if got.code != exitError {
		t.Errorf("plan with an untrusted CA: exit %d\n%s", got.code, got)
	}
	for _, want := range []string{
		"Hint: the WinRM certificate of dc01, dc02, ex01, ex02 is not signed by a CA of " + caFile + " (the inventory's winrm ca_file): add the CA that issued it to that file.",
		"Hint: the LDAP certificate of the domain controller of corp.example.com is not signed by a CA of " + caFile + " (the inventory's ldap ca_file)",
	} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
		}
	}
}

// TestApplyHintsWhenTheHostsRefuseTheLogon: apply reads every host again
// before it changes any; when all of them refuse the logon, it says which
// variables to check, and changes nothing.
func TestApplyHintsWhenTheHostsRefuseTheLogon(t *testing.T) {
	f := startLab(t, lab.KB979174())
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "fix.plan", "exchange-454"); got.code != exitOK {
		t.Fatalf("plan: %s", got)
	}
	f.env[lab.EnvWinRMPassword] = "Wrong-password-7"
	got := f.rectify(t, "apply", "-state", "journal.db", "-window-override", "hint test", "fix.plan")
	const want = "Hint: every host refused rectify's WinRM logon (HTTP 401): check RECTIFY_WINRM_USER and RECTIFY_WINRM_PASSWORD"
	if got.code == exitOK || !strings.Contains(got.stderr, want) {
		t.Errorf("apply with a wrong WinRM password: exit %d, stderr lacks %q:\n%s", got.code, want, got)
	}
	if strings.Contains(got.stdout+got.stderr, "Wrong-password-7") {
		t.Errorf("the password was printed:\n%s", got)
	}
}

// TestWatchHintsWhenTheDirectoryRefusesTheBind: a drift cycle whose
// directory reads are refused says why after its report, as a plan does.
func TestWatchHintsWhenTheDirectoryRefusesTheBind(t *testing.T) {
	f := startLab(t, lab.KB979174())
	f.lab.SetLDAPAccountLockedOut(true)
	got := f.rectify(t, "watch", "-once", "-inventory", "inventory.hcl", "-state", "journal.db", "exchange-454")
	const want = "Hint: the domain controller of corp.example.com refused the LDAP bind: the account is locked out (data 775)"
	if got.code != exitError || !strings.Contains(got.stderr, want) {
		t.Errorf("watch -once with the bind account locked out: exit %d, stderr lacks %q:\n%s", got.code, want, got)
	}
}
