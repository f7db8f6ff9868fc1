package lab

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
)

// TestLDAPWritesOriginateOnTheDCThatTookThem checks that an SPN write
// through one DC's LDAP server is that DC's originating write: the other
// DCs wait for it, whichever DC it was, and a write of another attribute
// is not an SPN write.
func TestLDAPWritesOriginateOnTheDCThatTookThem(t *testing.T) {
	clock := newFakeClock()
	l := startLab(t, KB979174(), func(o *Options) { o.Clock = clock.Now })
	conn := dialLDAP(t, l, "dc02")
	desc := ldap.NewModifyRequest("CN=EX01,CN=Computers,DC=corp,DC=example,DC=com", nil)
	desc.Replace("description", []string{"mail server"})
	if err := conn.Modify(desc); err != nil {
		t.Fatal(err)
	}
	if p := l.Org().PendingReplication("dc01"); len(p) != 0 {
		t.Errorf("a description write counts as an SPN write: dc01 waits for %v", p)
	}
	add := ldap.NewModifyRequest("CN=EX01,CN=Computers,DC=corp,DC=example,DC=com", nil)
	add.Add("servicePrincipalName", []string{"SMTPSVC/EX01"})
	if err := conn.Modify(add); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"dc02"}, l.Org().PendingReplication("dc01")); diff != "" {
		t.Errorf("dc01 pending right after the write on dc02 (-want +got):\n%s", diff)
	}
	if p := l.Org().PendingReplication("dc02"); len(p) != 0 {
		t.Errorf("dc02 waits for its own write: %v", p)
	}
	clock.Advance(NotifyDelay)
	if p := l.Org().PendingReplication("dc01"); len(p) != 0 {
		t.Errorf("dc01 still waits for %v after the notification delay", p)
	}
}

// TestStoppedDirectoryServiceRefusesLDAP checks that a DC whose directory
// service is stopped drops its LDAP connections and refuses new ones until
// it starts again.
func TestStoppedDirectoryServiceRefusesLDAP(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	conn := dialLDAP(t, l, "dc02")
	if err := l.StopDirectoryService("dc02"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)); err == nil {
		t.Error("a connection to a stopped directory service still answers")
	}
	conf := &tls.Config{RootCAs: l.ca.Pool()}
	fresh, err := ldap.DialURL("ldaps://"+l.LDAPAddr("dc02", ldapd.LDAPS), ldap.DialWithTLSConfig(conf))
	if err == nil {
		fresh.SetTimeout(2 * time.Second)
		if err = fresh.Bind(l.Username(), l.Password()); err == nil {
			t.Error("a stopped directory service accepted a bind")
		}
		fresh.Close()
	}
	if err := l.StartDirectoryService("dc02"); err != nil {
		t.Fatal(err)
	}
	dialLDAP(t, l, "dc02")
}
