//go:build !windows

package ldap

import (
	"context"
	"crypto/tls"

	goldap "github.com/go-ldap/ldap/v3"
)

// sspiAvailable says whether AuthNegotiate can bind here: only Windows has
// SSPI and a logged-on user's Kerberos credentials to bind with.
const sspiAvailable = false

// sspiBind refuses: there is no SSPI outside Windows. Config.validate
// refuses AuthNegotiate before a Directory is made, so this is not reached.
func (d *Directory) sspiBind(context.Context, *goldap.Conn, endpointConfig, tls.ConnectionState) error {
	return errNoSSPI
}
