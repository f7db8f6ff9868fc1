package ldap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/jcmturner/gokrb5/v8/client"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/secret"
)

// KerberosConfig says where a Kerberos bind gets its tickets from. The
// principal and password are the Config's BindUser and Password.
type KerberosConfig struct {
	// Realm is the user's realm; empty means the suffix of a BindUser
	// written user@REALM, or the krb5.conf's default realm.
	Realm string
	// KDCs are the realm's KDCs ("dc01.corp.example.com:88"); empty means
	// those of Krb5Conf.
	KDCs []string
	// Krb5Conf is a krb5.conf to read; empty means /etc/krb5.conf when no
	// KDCs are given.
	Krb5Conf string
	// Keytab holds the user's keys. CCache names a credential cache (as
	// KRB5CCNAME does: FILE:path or a path) whose TGT is used. With
	// neither, the Config's Password gets a TGT.
	Keytab string
	CCache string
	// SPN is the DC's LDAP service principal; empty means ldap/<name>,
	// where name is the Config's ServerName or else the host of the URL
	// (the Global Catalog's for the Global Catalog), the SPN every DC
	// registers for its FQDN.
	SPN string
}

func (k KerberosConfig) source(user string, password secret.Value) kerberos.Source {
	return kerberos.Source{User: user, Password: password.Reveal(), Realm: k.Realm, KDCs: k.KDCs,
		Krb5Conf: k.Krb5Conf, Keytab: k.Keytab, CCache: k.CCache}
}

// spnFor is the service principal of an endpoint's Kerberos bind.
func (c Config) spnFor(ep endpointConfig) string {
	if c.Kerberos.SPN != "" {
		return c.Kerberos.SPN
	}
	name := c.ServerName
	if name == "" {
		name = ep.url.Hostname()
	}
	return "ldap/" + name
}

// checkSPN refuses an SPN derived from an IP address: a DC registers
// ldap/<fqdn>, never its address, so the KDC would answer that it knows no
// such principal.
func (c Config) checkSPN(ep endpointConfig) error {
	if c.Kerberos.SPN != "" || c.ServerName != "" {
		return nil
	}
	if net.ParseIP(ep.url.Hostname()) != nil {
		return fmt.Errorf("kerberos: %s names the DC by its address, and its service principal is ldap/<fqdn>: set the server name (the DC's FQDN) or the SPN", ep.url.Redacted())
	}
	return nil
}

// tickets is a Directory's Kerberos client: made on first use, logged on
// once, and kept for every bind of the Directory (the DC's and the Global
// Catalog's), so that the TGT and each service ticket are fetched once.
type tickets struct {
	src kerberos.Source

	mu sync.Mutex
	cl *client.Client
}

// ticket returns a service ticket for spn. gokrb5 takes no context: the
// call runs aside, and ctx ending returns at once.
func (t *tickets) ticket(ctx context.Context, spn string) (kerberos.Ticket, error) {
	type result struct {
		tkt kerberos.Ticket
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = contain(func() (err error) {
			r.tkt, err = t.fetch(spn)
			return err
		})
		done <- r
	}()
	select {
	case r := <-done:
		return r.tkt, r.err
	case <-ctx.Done():
		return kerberos.Ticket{}, ctx.Err()
	}
}

func (t *tickets) fetch(spn string) (kerberos.Ticket, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cl == nil {
		cl, _, err := t.src.Login()
		if err != nil {
			return kerberos.Ticket{}, err
		}
		t.cl = cl
	}
	tkt, key, err := t.cl.GetServiceTicket(spn)
	if err != nil {
		return kerberos.Ticket{}, kerberos.ClassifyKDC(fmt.Errorf("ticket for %s: %w", spn, err))
	}
	return kerberos.Ticket{Ticket: tkt, SessionKey: key, CName: t.cl.Credentials.CName(), Realm: t.cl.Credentials.Domain()}, nil
}

// close ends the client's TGT renewal.
func (t *tickets) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cl != nil {
		t.cl.Destroy()
		t.cl = nil
	}
}

// kerberosBind binds with SASL GSSAPI: a ticket for the endpoint's SPN,
// and the DC's AP-REP verified (mutual authentication). Inside TLS the
// authentication is bound to the TLS connection by its server certificate
// and asks for no SASL security layer, as Active Directory requires there
// (a DC that refuses that, such as Samba with its default "ldap server
// require strong auth = yes", answers strongerAuthRequired, and rectify
// says to use a sealed ldap:// URL). On a sealed endpoint (plain ldap://)
// it asks for the confidentiality layer, which then signs and seals every
// message; a DC that will not seal fails the bind.
func (d *Directory) kerberosBind(ctx context.Context, b bindTarget) error {
	spn := d.cfg.spnFor(b.ep)
	tkt, err := d.tickets.ticket(ctx, spn)
	var refused *kerberos.TicketError
	var noKDC *kerberos.KDCError
	switch {
	case errors.As(err, &refused):
		return &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Host: b.ep.address, Op: "bind",
			Err: fmt.Errorf("kerberos bind to %s: %w", spn, err)}
	case errors.As(err, &noKDC):
		return &actions.TransportError{Kind: actions.KindConnect, Class: actions.Retryable, Host: b.ep.address, Op: "bind",
			Err: fmt.Errorf("kerberos bind to %s: %w", spn, err)}
	case err != nil:
		return err
	}
	layer := kerberos.LayerNone
	if b.ep.sealed {
		layer = kerberos.LayerConfidentiality
	}
	err = d.gssapiBind(b, spn, tkt, layer)
	var gssErr *gssError
	switch {
	case errors.As(err, &gssErr):
		return &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Host: b.ep.address, Op: "bind",
			Err: fmt.Errorf("kerberos bind to %s: %w", spn, err)}
	case !b.ep.sealed && goldap.IsErrorWithCode(err, goldap.LDAPResultStrongAuthRequired):
		return &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Host: b.ep.address, Op: "bind",
			Err: fmt.Errorf("kerberos bind to %s inside TLS: the DC wants a SASL security layer, which it does not allow inside TLS "+
				"(Samba's default); use an ldap:// URL without start_tls, where Kerberos seals every message: %w", spn, classify(ctx, b.ep.address, "bind", err).Err)}
	}
	return err
}

// gssapiBind runs one SASL GSSAPI exchange asking for layer, and starts
// the layer the exchange settled on.
func (d *Directory) gssapiBind(b bindTarget, spn string, tkt kerberos.Ticket, layer byte) error {
	client := &saslClient{ticket: tkt, bindings: channelBindings(b.tls), layer: layer, maxIn: uint32(d.cfg.saslMaxIn())}
	if err := b.conn.GSSAPIBind(client, spn, ""); err != nil {
		return err
	}
	if b.ep.sealed && client.chosenLayer != kerberos.LayerConfidentiality {
		return &gssError{err: errors.New("the DC did not agree to seal the messages of a connection without TLS")}
	}
	if client.chosen == nil {
		return nil
	}
	if b.layered == nil {
		return &gssError{err: errors.New("a SASL security layer was negotiated on a connection that cannot carry one")}
	}
	b.layered.enable(client.chosen)
	return nil
}

// saslMaxIn is the largest SASL buffer the client takes: room for the
// largest LDAP message and the wrapping around it.
func (c Config) saslMaxIn() int {
	return int(min(max(c.maxMessageBytes()+4096, 64<<10), 0xffffff))
}

// channelBindings is the tls-server-end-point channel binding of the
// connection's server certificate, or nil when it has none.
func channelBindings(state tls.ConnectionState) []byte {
	if len(state.PeerCertificates) == 0 {
		return nil
	}
	b, err := kerberos.TLSServerEndPoint(state.PeerCertificates[0])
	if err != nil {
		return nil
	}
	return b
}

// gssError is a failure of the client's side of the GSSAPI exchange: the
// DC's AP-REP or offer of security layers does not verify.
type gssError struct{ err error }

func (e *gssError) Error() string { return e.err.Error() }
func (e *gssError) Unwrap() error { return e.err }

// saslClient is go-ldap's GSSAPIClient over internal/kerberos: the client
// side of SASL's GSSAPI mechanism (RFC 4752) for one bind.
type saslClient struct {
	ticket   kerberos.Ticket
	bindings []byte
	// layer is the security layer to ask for; maxIn the largest buffer
	// to accept under it.
	layer byte
	maxIn uint32

	init *kerberos.Initiator
	sasl *kerberos.SASL
	// chosenLayer is the layer the exchange settled on; chosen protects
	// the connection's messages under it (nil for none).
	chosenLayer byte
	chosen      kerberos.Layer
}

var _ goldap.GSSAPIClient = (*saslClient)(nil)

// InitSecContext implements goldap.GSSAPIClient.
func (c *saslClient) InitSecContext(target string, token []byte) ([]byte, bool, error) {
	return c.InitSecContextWithOptions(target, token, nil)
}

// InitSecContextWithOptions implements goldap.GSSAPIClient: the AP-REQ
// first, then the DC's AP-REP, which completes the context.
func (c *saslClient) InitSecContextWithOptions(_ string, token []byte, _ []int) ([]byte, bool, error) {
	if c.init == nil {
		out, init, err := kerberos.InitiateSASL(c.ticket, c.bindings)
		if err != nil {
			return nil, false, &gssError{err: err}
		}
		c.init = init
		return out, true, nil
	}
	s, err := c.init.CompleteSASL(token)
	if err != nil {
		return nil, false, &gssError{err: fmt.Errorf("mutual authentication: %w", err)}
	}
	c.sasl = s
	return []byte{}, false, nil
}

// NegotiateSaslAuth implements goldap.GSSAPIClient: it verifies the DC's
// offer and chooses the layer asked for, which the offer must include.
func (c *saslClient) NegotiateSaslAuth(token []byte, authzid string) ([]byte, error) {
	if c.sasl == nil {
		return nil, &gssError{err: errors.New("the security layer negotiation came before the context was established")}
	}
	offer, err := c.sasl.ReadOffer(token)
	if err != nil {
		return nil, &gssError{err: err}
	}
	out, err := c.sasl.Choose(offer, c.layer, c.maxIn, authzid)
	if err != nil {
		return nil, &gssError{err: err}
	}
	c.chosenLayer = c.layer
	if c.chosen, err = c.sasl.Layer(); err != nil {
		return nil, &gssError{err: err}
	}
	return out, nil
}

// DeleteSecContext implements goldap.GSSAPIClient.
func (c *saslClient) DeleteSecContext() error {
	c.init, c.sasl = nil, nil
	return nil
}
