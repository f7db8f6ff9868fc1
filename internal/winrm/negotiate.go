package winrm

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/rectifyhq/rectify/actions"
)

// errNoSSPI refuses AuthNegotiate where there is no SSPI.
var errNoSSPI = errors.New(`auth "negotiate" logs on with the credentials of the Windows user rectify runs as (SSPI), and rectify is not running on Windows: use auth "kerberos" with a credential cache (kinit, then KRB5CCNAME), or ntlm`)

// securityContext is the client side of one Negotiate logon as Windows'
// SSPI runs it: tokens exchanged until the context is established (one
// round trip for Kerberos with mutual authentication, two for NTLM inside
// SPNEGO), then the session security that seals the connection's
// messages. The SSPI implementation is in sspi_windows.go; the tests drive
// the handshake with contexts built on internal/ntlm and internal/kerberos.
type securityContext interface {
	// Step takes the server's last token (nil to start) and returns the
	// next token to send (empty when there is none) and whether the
	// context is established on the client's side.
	Step(in []byte) (out []byte, established bool, err error)
	// Sealer returns the established context's session security.
	Sealer() (sealer, error)
}

// maxNegotiateLegs bounds the round trips of one logon: Kerberos takes
// one, NTLM inside SPNEGO two. A server that keeps asking for more is
// refused.
const maxNegotiateLegs = 4

// negotiateError is a failure of the client's side of a Negotiate logon:
// no credentials, or SSPI refused to build or accept a token. It travels
// as a permanent authentication failure: sending again changes nothing.
func negotiateError(err error) error {
	return &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Err: fmt.Errorf("negotiate logon: %w", err)}
}

// negotiateHandshake authenticates pc with the tokens of a
// securityContext under the Negotiate scheme: each token goes with an
// empty request, the server's 401 carries its next token, and its 200 the
// last one, which must complete the context (mutual authentication). Then
// body goes on the authenticated connection, sealed with the context's
// session security when messages are encrypted. Authenticating with empty
// requests costs one exchange more than sending body with the last token,
// and works however many legs the logon takes.
func (p *connPool) negotiateHandshake(ctx context.Context, pc *persistConn, body []byte, beforeWrite func(), n *int) (*reply, error) {
	p.handshakes.Add(1)
	sc, err := p.newContext(p.cfg)
	if err != nil {
		return nil, negotiateError(err)
	}
	out, established, err := sc.Step(nil)
	if err != nil {
		return nil, negotiateError(err)
	}
	for leg := 1; ; leg++ {
		rep, err := p.exchange(ctx, pc, nil, "Negotiate "+base64.StdEncoding.EncodeToString(out), nil, n)
		if err != nil {
			return nil, err
		}
		token, hasToken := negotiateToken(rep.header)
		if rep.status == http.StatusUnauthorized {
			if !hasToken || established {
				// Refused: the 401 stands.
				return rep, nil
			}
			if leg == maxNegotiateLegs {
				return nil, &protocolError{msg: fmt.Sprintf("the server asked for more than %d rounds of the Negotiate logon", maxNegotiateLegs)}
			}
			if out, established, err = sc.Step(token); err != nil {
				return nil, negotiateError(err)
			}
			continue
		}
		if rep.status != http.StatusOK {
			return nil, &protocolError{msg: fmt.Sprintf("server answered the Negotiate logon with http %d", rep.status)}
		}
		if !established {
			if !hasToken {
				return nil, &protocolError{msg: "the server accepted the Negotiate logon without its last token: no mutual authentication"}
			}
			var rest []byte
			if rest, established, err = sc.Step(token); err != nil {
				return nil, &protocolError{msg: fmt.Sprintf("mutual authentication: %v", err)}
			}
			if !established || len(rest) > 0 {
				return nil, &protocolError{msg: "the server ended the Negotiate logon before the context was established"}
			}
		}
		break
	}
	pc.authed = true
	if p.sealed {
		s, err := sc.Sealer()
		if err != nil {
			return nil, negotiateError(err)
		}
		pc.session = s
	}
	return p.exchange(ctx, pc, body, "", beforeWrite, n)
}

// negotiateSPN is the service principal a Negotiate logon asks a ticket
// for: the configured one, or HTTP/<server name>.
func (c Config) negotiateSPN() string {
	if c.Kerberos.SPN != "" {
		return c.Kerberos.SPN
	}
	return "HTTP/" + c.ServerName
}
