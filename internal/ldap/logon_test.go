package ldap

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/actions"
)

func TestLogonFailure(t *testing.T) {
	tests := []struct {
		diag string
		want LogonFailure
	}{
		{"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563", LogonBadCredentials},
		{"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563", LogonAccountLockedOut},
		{"80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data 525, v893", LogonNoSuchUser},
		{"80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data 532, vece", LogonPasswordExpired},
		{"80090308: LdapErr: DSID-0C090447, comment: AcceptSecurityContext error, data 533, v3839", LogonAccountDisabled},
		// Not AD's layout: no code, rather than a guess.
		{"Invalid credentials", 0},
		{"data 52e", 0},
		{"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data xyz, v4563", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := logonFailure(tt.diag); got != tt.want {
			t.Errorf("logonFailure(%q) = %#x, want %#x", tt.diag, uint32(got), uint32(tt.want))
		}
	}
}

// TestClassifyKeepsTheLogonFailure: a bind refused with result 49 is an
// auth error whose ResultError says why, by type; the same data text in
// another result is not a logon failure.
func TestClassifyKeepsTheLogonFailure(t *testing.T) {
	locked := "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563"
	te := classify(context.Background(), "dc01:636", "bind", serverAnswer(t, 49, locked))
	var res *ResultError
	if te.Kind != actions.KindAuth || !errors.As(te, &res) || res.Logon != LogonAccountLockedOut {
		t.Fatalf("classify(49, data 775) = %v (kind %s)", te, te.Kind)
	}
	if !strings.HasSuffix(te.Error(), "(data 775: the account is locked out)") {
		t.Errorf("the message does not say what data 775 means: %v", te)
	}
	other := classify(context.Background(), "dc01:636", "search", serverAnswer(t, 50, locked))
	if errors.As(other, &res) && res.Logon != 0 {
		t.Errorf("a result 50 carries a logon failure: %v", other)
	}
}
