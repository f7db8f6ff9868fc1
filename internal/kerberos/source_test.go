package kerberos

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitPrincipal(t *testing.T) {
	tests := []struct {
		name, realm, def string
		user, wantRealm  string
	}{
		{"svc@corp.example.com", "", "DEF.TEST", "svc", "CORP.EXAMPLE.COM"},
		{`CORP\svc`, "", "DEF.TEST", "svc", "DEF.TEST"},
		{"svc", "GIVEN.TEST", "DEF.TEST", "svc", "GIVEN.TEST"},
		{"svc@corp.example.com", "GIVEN.TEST", "", "svc", "GIVEN.TEST"},
	}
	for _, tc := range tests {
		user, realm := SplitPrincipal(tc.name, tc.realm, tc.def)
		if diff := cmp.Diff([2]string{tc.user, tc.wantRealm}, [2]string{user, realm}); diff != "" {
			t.Errorf("SplitPrincipal(%q, %q, %q) (-want +got):\n%s", tc.name, tc.realm, tc.def, diff)
		}
	}
}

// TestSourceCheck: a source that cannot get a ticket is refused before
// anything is sent, and the refusal never carries the password.
func TestSourceCheck(t *testing.T) {
	tests := []struct {
		name string
		s    Source
		want string // "" for none
	}{
		{"password", Source{User: "svc", Password: "pw"}, ""},
		{"keytab", Source{User: "svc", Keytab: "/k"}, ""},
		{"cache without user", Source{CCache: "FILE:/c"}, ""},
		{"nothing", Source{User: "svc"}, "no password, keytab or credential cache"},
		{"two sources", Source{User: "svc", Keytab: "/k", CCache: "/c"}, "exclude each other"},
		{"no user", Source{Password: "pw"}, "no user"},
		{"kdcs and conf", Source{User: "svc", Password: "pw", KDCs: []string{"kdc"}, Krb5Conf: "/etc/krb5.conf"}, "exclude each other"},
	}
	for _, tc := range tests {
		err := tc.s.Check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if s := fmt.Sprintf("%v %#v", Source{Password: "hunter2"}, Source{Password: "hunter2"}); strings.Contains(s, "hunter2") {
		t.Errorf("a Source prints its password: %s", s)
	}
}

// TestLoginFailures: a credential that does not load is a TicketError
// (permanent); a KDC that does not answer is a KDCError (may go away).
func TestLoginFailures(t *testing.T) {
	notKeytab := filepath.Join(t.TempDir(), "not.keytab")
	if err := os.WriteFile(notKeytab, []byte("not a keytab"), 0o600); err != nil {
		t.Fatal(err)
	}
	var ticket *TicketError
	if _, _, err := (Source{User: "svc", Realm: "LAB.TEST", KDCs: []string{"127.0.0.1:1"}, Keytab: notKeytab}).Login(); !errors.As(err, &ticket) {
		t.Errorf("a keytab that does not load: %v, want a TicketError", err)
	}
	if _, _, err := (Source{CCache: "FILE:" + notKeytab, Realm: "LAB.TEST", KDCs: []string{"127.0.0.1:1"}}).Login(); !errors.As(err, &ticket) {
		t.Errorf("a cache that does not load: %v, want a TicketError", err)
	}
	// A port nobody listens on: closed right after it was bound.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var kdc *KDCError
	_, _, err = (Source{User: "svc", Password: "hunter2", Realm: "LAB.TEST", KDCs: []string{addr}}).Login()
	if !errors.As(err, &kdc) {
		t.Errorf("no KDC: %v, want a KDCError", err)
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error carries the password: %v", err)
	}
}
