package winrm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"

	"github.com/rectifyhq/rectify/internal/kerberos"
)

// DefaultKrb5Conf is read for the realm's KDCs when a KerberosConfig names
// neither a krb5.conf nor KDCs.
const DefaultKrb5Conf = "/etc/krb5.conf"

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
type kdcError struct{ err error }

func (e *kdcError) Error() string { return "get a Kerberos ticket: " + e.err.Error() }
func (e *kdcError) Unwrap() error { return e.err }

// ticketError is the KDC's refusal (a KRB-ERROR: wrong password, unknown
// principal, clock skew): sending again changes nothing.
type ticketError struct{ err error }

func (e *ticketError) Error() string { return "the KDC refused a ticket: " + e.err.Error() }
func (e *ticketError) Unwrap() error { return e.err }

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

// check reports a KerberosConfig that cannot work, before anything is sent.
func (k KerberosConfig) check(password string) error {
	if k.Keytab != "" && k.CCache != "" {
		return errors.New("kerberos: a keytab and a credential cache exclude each other")
	}
	if k.Keytab == "" && k.CCache == "" && password == "" {
		return errors.New("kerberos: no password, keytab or credential cache to get a ticket with")
	}
	if len(k.KDCs) > 0 && k.Krb5Conf != "" {
		return errors.New("kerberos: KDCs and a krb5.conf exclude each other")
	}
	return nil
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
	k := t.cfg.Kerberos
	conf, err := k.krb5Config()
	if err != nil {
		return nil, err
	}
	user, realm := splitPrincipal(t.cfg.Username, k.Realm, conf.LibDefaults.DefaultRealm)
	disableFAST := client.DisablePAFXFAST(true)
	switch {
	case k.CCache != "":
		cc, err := credentials.LoadCCache(strings.TrimPrefix(k.CCache, "FILE:"))
		if err != nil {
			return nil, &ticketError{err: fmt.Errorf("credential cache %s: %w", k.CCache, err)}
		}
		t.cache = cc
		cl, err := client.NewFromCCache(cc, conf, disableFAST)
		if err != nil {
			return nil, &ticketError{err: fmt.Errorf("credential cache %s: %w", k.CCache, err)}
		}
		return cl, nil
	case k.Keytab != "":
		kt, err := keytab.Load(k.Keytab)
		if err != nil {
			return nil, &ticketError{err: fmt.Errorf("keytab %s: %w", k.Keytab, err)}
		}
		return t.login(client.NewWithKeytab(user, realm, kt, conf, disableFAST))
	}
	return t.login(client.NewWithPassword(user, realm, t.cfg.Password.Reveal(), conf, disableFAST))
}

func (t *tickets) login(cl *client.Client) (*client.Client, error) {
	if err := cl.Login(); err != nil {
		return nil, classifyKDC(fmt.Errorf("log on as %s: %w", cl.Credentials.UserName(), err))
	}
	return cl, nil
}

// classifyKDC sorts a gokrb5 failure by its type: a KDC that could not be
// reached may be reached later; a KDC's refusal (KRB-ERROR: wrong password,
// unknown principal, clock skew) and everything else will not change.
// gokrb5 reports the former with the root cause NetworkingError of its
// Krberror type (it drops the KRBError it received).
func classifyKDC(err error) error {
	var kerr messages.KRBError
	var gerr krberror.Krberror
	switch {
	case errors.As(err, &kerr):
		return &ticketError{err: err}
	case errors.As(err, &gerr) && gerr.RootCause == krberror.NetworkingError:
		return &kdcError{err: err}
	}
	return &ticketError{err: err}
}

// krb5Config is the Kerberos configuration: the realm and KDCs given, or
// the krb5.conf named or found.
func (k KerberosConfig) krb5Config() (*config.Config, error) {
	if len(k.KDCs) > 0 {
		if k.Realm == "" {
			return nil, errors.New("kerberos: KDCs are given without their realm")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "[libdefaults]\n default_realm = %s\n dns_lookup_kdc = false\n dns_lookup_realm = false\n[realms]\n %s = {\n", k.Realm, k.Realm)
		for _, kdc := range k.KDCs {
			fmt.Fprintf(&b, "  kdc = %s\n", kdc)
		}
		b.WriteString(" }\n")
		return config.NewFromString(b.String())
	}
	path := k.Krb5Conf
	if path == "" {
		path = DefaultKrb5Conf
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("kerberos: no KDCs given and no krb5.conf: %w", err)
	}
	conf, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos: krb5.conf %s: %w", path, err)
	}
	return conf, nil
}

// splitPrincipal reads the user and realm of a user name written
// "user@REALM", "DOMAIN\user" or "user": the realm given wins, then a
// UPN's suffix (upper-cased), then the default realm.
func splitPrincipal(name, realm, defaultRealm string) (string, string) {
	if _, user, ok := strings.Cut(name, `\`); ok {
		name = user
	}
	if user, suffix, ok := strings.Cut(name, "@"); ok {
		name = user
		if realm == "" {
			realm = strings.ToUpper(suffix)
		}
	}
	if realm == "" {
		realm = defaultRealm
	}
	return name, realm
}
