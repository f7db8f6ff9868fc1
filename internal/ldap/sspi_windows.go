//go:build windows

package ldap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/go-ldap/ldap/v3/gssapi"

	"github.com/rectifyhq/rectify/actions"
)

// sspiAvailable says whether AuthNegotiate can bind here.
const sspiAvailable = true

// sspiBind binds conn with SASL GSSAPI through Windows' SSPI: the Kerberos
// credentials of the user rectify runs as (no password anywhere), a ticket
// for the endpoint's SPN, the authentication bound to the TLS connection
// by its server certificate (channel binding, which DCs with
// LdapEnforceChannelBinding = 2 require), and no SASL security layer, TLS
// protecting the connection already. go-ldap's SSPI client does the
// exchange; SSPI itself verifies the DC's AP-REP.
//
// This runs only on Windows and is not tested by rectify's test suite,
// which runs on Linux (see docs/windows.md).
func (d *Directory) sspiBind(_ context.Context, conn *goldap.Conn, ep endpointConfig, state tls.ConnectionState) error {
	spn := d.cfg.spnFor(ep)
	var (
		client *gssapi.SSPIClient
		err    error
	)
	if len(state.PeerCertificates) > 0 {
		client, err = gssapi.NewSSPIClientWithChannelBinding(state.PeerCertificates[0])
	} else {
		client, err = gssapi.NewSSPIClient()
	}
	if err != nil {
		return &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Host: ep.address, Op: "bind",
			Err: fmt.Errorf("the current Windows user's Kerberos credentials (SSPI): %w", err)}
	}
	defer func() { _ = client.Close() }()
	err = conn.GSSAPIBind(client, spn, "")
	var ldapErr *goldap.Error
	if err != nil && !errors.As(err, &ldapErr) {
		// Not the DC's answer: SSPI refused a step of the exchange.
		return &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Host: ep.address, Op: "bind",
			Err: fmt.Errorf("kerberos bind to %s through SSPI: %w", spn, err)}
	}
	return err
}
