package ldap_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
)

// TestNegotiateConfig: auth "negotiate" binds as the user rectify runs
// as, so it takes no bind user or password, and only Windows has the SSPI
// it binds through; a plain ldap:// URL is refused for it, since it binds
// inside TLS.
func TestNegotiateConfig(t *testing.T) {
	base := ldap.Config{URL: "ldaps://dc01.corp.example.com", Auth: ldap.AuthNegotiate}
	_, err := ldap.New(base)
	if runtime.GOOS != "windows" {
		if err == nil || !strings.Contains(err.Error(), "not running on Windows") {
			t.Errorf("negotiate on %s: %v, want it refused for want of SSPI", runtime.GOOS, err)
		}
	} else if err != nil {
		t.Errorf("negotiate on Windows: %v", err)
	}
	withUser := base
	withUser.BindUser, withUser.Password = "svc@corp.example.com", secret.New("pw")
	if _, err := ldap.New(withUser); err == nil || !strings.Contains(err.Error(), "no bind user or password") {
		t.Errorf("negotiate with a bind user: %v", err)
	}
	if runtime.GOOS == "windows" {
		plain := base
		plain.URL = "ldap://dc01.corp.example.com"
		if _, err := ldap.New(plain); err == nil || !strings.Contains(err.Error(), "plain LDAP") {
			t.Errorf("negotiate over plain LDAP: %v", err)
		}
	}
}
