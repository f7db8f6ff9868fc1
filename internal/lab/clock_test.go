package lab

import (
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// TestDCClockOnLDAP moves a DC's clock and reads it where rectify does:
// the rootDSE currentTime of its LDAP server.
func TestDCClockOnLDAP(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	l := startLab(t, KB979174(), func(o *Options) { o.Clock = func() time.Time { return at } })
	mustHost(t, l, "dc02").SetClockOffset(-6 * time.Minute)
	for dc, want := range map[string]string{"dc01": "20261127080000.0Z", "dc02": "20261127075400.0Z"} {
		res, err := dialLDAP(t, l, dc).Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"currentTime"}, nil))
		if err != nil || len(res.Entries) != 1 {
			t.Fatalf("%s rootDSE: %v", dc, err)
		}
		if got := res.Entries[0].GetAttributeValue("currentTime"); got != want {
			t.Errorf("%s currentTime %q, want %q", dc, got, want)
		}
	}
}
