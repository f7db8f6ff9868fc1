package ldaptest

import (
	"context"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
)

// Target is a directory server under contract test, bound as an account
// that may create and modify computer accounts.
type Target struct {
	// Name labels the target in failures ("samba", "lab").
	Name string
	// LDAPSURL is LDAP over TLS (636); LDAPURL is plain LDAP (389), used
	// with StartTLS; GCSURL and GCURL are the Global Catalog's (3269, 3268).
	LDAPSURL, LDAPURL, GCSURL, GCURL string
	// CAFile verifies the server's certificate; ServerName is a name the
	// certificate carries.
	CAFile, ServerName string
	// UPN and DownLevel name one account (admin@dns.domain, DOMAIN\admin).
	UPN, DownLevel, Password string
	// BaseDN is the domain naming context; DNSDomain its DNS name.
	BaseDN, DNSDomain string
	// Fixtures creates what the suite needs on this server.
	Fixtures Fixtures
}

// SPNWrite is one servicePrincipalName value written past the
// uniqueness check.
type SPNWrite struct {
	DN, SPN string
}

// Fixtures are the server-specific ways to set up state.
type Fixtures interface {
	// AddComputers creates computer accounts with sAMAccountName NAME$,
	// dNSHostName lower(NAME).DNSDomain and no SPNs, and returns their DNs.
	AddComputers(t testing.TB, names ...string) []string
	// SeedSPNs adds SPN values without the uniqueness check, as a
	// replicated write lands. It may restart the server.
	SeedSPNs(t testing.TB, writes ...SPNWrite)
	// Restart drops every connection, as a DC restart does, and returns
	// when the server accepts connections again.
	Restart(t testing.TB)
}

// config is the client configuration bound as the target's account over
// LDAPS with the CA verified.
func (tg Target) config() ldap.Config {
	return ldap.Config{
		URL:        tg.LDAPSURL,
		GCURL:      tg.GCSURL,
		BaseDN:     tg.BaseDN,
		BindUser:   tg.UPN,
		Password:   secret.New(tg.Password),
		CAFile:     tg.CAFile,
		ServerName: tg.ServerName,
		Timeout:    20 * time.Second,
	}
}

// open returns a Directory for cfg, closed when the test ends.
func open(t testing.TB, cfg ldap.Config) *ldap.Directory {
	t.Helper()
	d, err := ldap.New(cfg)
	if err != nil {
		t.Fatalf("ldap.New: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
