package winrm

import (
	"context"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/credentials"

	"github.com/rectifyhq/rectify/internal/kerberos"
)

// DefaultKrb5Conf is read for the realm's KDCs when a KerberosConfig names
// neither a krb5.conf nor KDCs.
const DefaultKrb5Conf = kerberos.DefaultKrb5Conf

// KerberosConfig says where Auth "kerberos" gets its tickets from.
type KerberosConfig struct {
	// Realm is the user's realm. Empty means the suffix of a user written
	// name@REALM, or the krb5.conf's default realm.
	Realm string
	// KDCs are the realm's KDCs ("dc01.corp.example.com:88"); empty means
	// those of Krb5Conf.
	KDCs []string
	// Krb5Conf is a krb5.conf to read (KDCs, encryption types); empty means
	// DefaultKrb5Conf when no KDCs are given.
	Krb5Conf string
	// Keytab holds the user's keys. CCache names a credential cache (as
	// KRB5CCNAME does: FILE:path or a path) whose TGT is used. With
	// neither, the Config's Password gets a TGT.
	Keytab string
	CCache string
	// SPN is the service principal of the host's WinRM service; empty
	// means HTTP/<ServerName>, the SPN Windows registers for its FQDN.
	SPN string
	// Delegate forwards the user's TGT to the host, so that commands there
	// can authenticate onwards as the user (the second hop). The host then
	// holds a TGT of the user until it expires: only for hosts trusted
	// with that.
	Delegate bool
}

// kdcError is a failure to get a ticket that is not the KDC's answer (no
// KDC reached): it may go away.
type kdcError = kerberos.KDCError

// ticketError is the KDC's refusal (a KRB-ERROR: wrong password, unknown
// principal, clock skew): sending again changes nothing.
type ticketError = kerberos.TicketError

// tickets gets and caches the service ticket of one host for a pool. The
// gokrb5 client is made on first use and kept, so that its TGT and the
// service ticket are fetched once per run.
type tickets struct {
	cfg Config
	spn string

	mu sync.Mutex
	cl *client.Client
	// cache is the credential cache the client came from, if any.
	cache *credentials.CCache
	// forwarded is the TGT delegated to the host, when Delegate is set.
	forwarded *kerberos.Forwarded
}

func newTickets(cfg Config) *tickets {
	spn := cfg.Kerberos.SPN
	if spn == "" {
		spn = "HTTP/" + cfg.ServerName
	}
	return &tickets{cfg: cfg, spn: spn}
}

// source is where the configuration's tickets come from.
func (k KerberosConfig) source(user, password string) kerberos.Source {
	return kerberos.Source{User: user, Password: password, Realm: k.Realm, KDCs: k.KDCs, Krb5Conf: k.Krb5Conf, Keytab: k.Keytab, CCache: k.CCache}
}

// check reports a KerberosConfig that cannot work, before anything is sent.
func (k KerberosConfig) check(user, password string) error {
	return k.source(user, password).Check()
}

// ticket returns a service ticket for the host, fetching it (and a TGT)
// when needed, and the TGT to delegate when Delegate is set. gokrb5 takes
// no context: the call runs aside, and ctx ending returns at once.
func (t *tickets) ticket(ctx context.Context) (kerberos.Ticket, *kerberos.Forwarded, error) {
	type result struct {
		tkt kerberos.Ticket
		fwd *kerberos.Forwarded
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		defer contain(&r.err)
		r.tkt, r.fwd, r.err = t.fetch()
	}()
	select {
	case r := <-done:
		return r.tkt, r.fwd, r.err
	case <-ctx.Done():
		return kerberos.Ticket{}, nil, ctx.Err()
	}
}

func (t *tickets) fetch() (kerberos.Ticket, *kerberos.Forwarded, error) {
	tkt, err := t.serviceTicket()
	if err != nil || !t.cfg.Kerberos.Delegate {
		return tkt, nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.forwarded == nil {
		if t.forwarded, err = t.forward(t.cl); err != nil {
			return kerberos.Ticket{}, nil, err
		}
	}
	return tkt, t.forwarded, nil
}

func (t *tickets) serviceTicket() (kerberos.Ticket, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cl == nil {
		cl, err := t.client()
		if err != nil {
			return kerberos.Ticket{}, err
		}
		t.cl = cl
	}
	tkt, key, err := t.cl.GetServiceTicket(t.spn)
	if err != nil {
		return kerberos.Ticket{}, classifyKDC(fmt.Errorf("%s: %w", t.spn, err))
	}
	return kerberos.Ticket{Ticket: tkt, SessionKey: key, CName: t.cl.Credentials.CName(), Realm: t.cl.Credentials.Domain()}, nil
}

// client makes the gokrb5 client from the configuration's credentials.
func (t *tickets) client() (*client.Client, error) {
	cl, cache, err := t.cfg.Kerberos.source(t.cfg.Username, t.cfg.Password.Reveal()).Login()
	if err != nil {
		return nil, err
	}
	t.cache = cache
	return cl, nil
}

// classifyKDC sorts a gokrb5 failure by its type (kerberos.ClassifyKDC).
func classifyKDC(err error) error { return kerberos.ClassifyKDC(err) }

// Delegates reports whether the logon forwards the user's TGT to the host
// (Kerberos or Negotiate with Delegate), so that commands there hold
// credentials for other machines.
func (c Config) Delegates() bool {
	return (c.Auth == AuthKerberos || c.Auth == AuthNegotiate) && c.Kerberos.Delegate
}
