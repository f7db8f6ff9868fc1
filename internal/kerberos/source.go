package kerberos

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
)

// DefaultKrb5Conf is read for the realm's KDCs when a Source names
// neither a krb5.conf nor KDCs.
const DefaultKrb5Conf = "/etc/krb5.conf"

// Source says where a client's tickets come from: a password, a keytab
// of the user's keys, or a credential cache holding the user's TGT (what
// kinit fills and KRB5CCNAME names), and where the realm's KDCs are. WinRM
// and LDAP get their tickets from the same kind of Source.
type Source struct {
	// User is "user@REALM", "DOMAIN\user" or "user". It may be empty with
	// a credential cache, whose principal is used.
	User string
	// Password gets a TGT when there is neither a keytab nor a cache. It
	// is never written to errors or logs.
	Password string
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
	// KRB5CCNAME does: FILE:path or a path).
	Keytab string
	CCache string
}

// String describes the source without its password.
func (s Source) String() string {
	pw := `""`
	if s.Password != "" {
		pw = "(redacted)"
	}
	return fmt.Sprintf("kerberos.Source{User:%q Password:%s Realm:%q KDCs:%q Krb5Conf:%q Keytab:%q CCache:%q}",
		s.User, pw, s.Realm, s.KDCs, s.Krb5Conf, s.Keytab, s.CCache)
}

// GoString is String, so that %#v does not print the password either.
func (s Source) GoString() string { return s.String() }

// Check reports a Source that cannot work, before anything is sent.
func (s Source) Check() error {
	if s.Keytab != "" && s.CCache != "" {
		return errors.New("kerberos: a keytab and a credential cache exclude each other")
	}
	if s.Keytab == "" && s.CCache == "" && s.Password == "" {
		return errors.New("kerberos: no password, keytab or credential cache to get a ticket with")
	}
	if s.CCache == "" && s.User == "" {
		return errors.New("kerberos: no user to get a ticket for")
	}
	if len(s.KDCs) > 0 && s.Krb5Conf != "" {
		return errors.New("kerberos: KDCs and a krb5.conf exclude each other")
	}
	return nil
}

// KDCError is a failure to get a ticket that is not the KDC's answer (no
// KDC reached): it may go away.
type KDCError struct{ Err error }

func (e *KDCError) Error() string { return "get a Kerberos ticket: " + e.Err.Error() }
func (e *KDCError) Unwrap() error { return e.Err }

// TicketError is the KDC's refusal (a KRB-ERROR: wrong password, unknown
// principal, clock skew) or a credential that cannot be used (a keytab or
// cache that does not load): trying again changes nothing.
type TicketError struct{ Err error }

func (e *TicketError) Error() string { return "the KDC refused a ticket: " + e.Err.Error() }
func (e *TicketError) Unwrap() error { return e.Err }

// ClassifyKDC sorts a gokrb5 failure by its type: a KDC that could not be
// reached may be reached later (*KDCError); a KDC's refusal (KRB-ERROR:
// wrong password, unknown principal, clock skew) and everything else will
// not change (*TicketError). gokrb5 reports the former with the root cause
// NetworkingError of its Krberror type (it drops the KRBError it
// received).
func ClassifyKDC(err error) error {
	var kerr messages.KRBError
	var gerr krberror.Krberror
	switch {
	case errors.As(err, &kerr):
		return &TicketError{Err: err}
	case errors.As(err, &gerr) && gerr.RootCause == krberror.NetworkingError:
		return &KDCError{Err: err}
	}
	return &TicketError{Err: err}
}

// Login makes a gokrb5 client from the source: from the credential cache's
// TGT, or logged on (an AS exchange) with the keytab or the password. It
// returns the cache the client came from, if any. gokrb5 takes no
// context: callers that must honour one run Login aside.
func (s Source) Login() (*client.Client, *credentials.CCache, error) {
	if err := s.Check(); err != nil {
		return nil, nil, &TicketError{Err: err}
	}
	conf, err := s.Config()
	if err != nil {
		return nil, nil, &TicketError{Err: err}
	}
	user, realm := SplitPrincipal(s.User, s.Realm, conf.LibDefaults.DefaultRealm)
	disableFAST := client.DisablePAFXFAST(true)
	switch {
	case s.CCache != "":
		cc, err := credentials.LoadCCache(strings.TrimPrefix(s.CCache, "FILE:"))
		if err != nil {
			return nil, nil, &TicketError{Err: fmt.Errorf("credential cache %s: %w", s.CCache, err)}
		}
		cl, err := client.NewFromCCache(cc, conf, disableFAST)
		if err != nil {
			return nil, nil, &TicketError{Err: fmt.Errorf("credential cache %s: %w", s.CCache, err)}
		}
		return cl, cc, nil
	case s.Keytab != "":
		kt, err := keytab.Load(s.Keytab)
		if err != nil {
			return nil, nil, &TicketError{Err: fmt.Errorf("keytab %s: %w", s.Keytab, err)}
		}
		cl, err := login(client.NewWithKeytab(user, realm, kt, conf, disableFAST))
		return cl, nil, err
	}
	cl, err := login(client.NewWithPassword(user, realm, s.Password, conf, disableFAST))
	return cl, nil, err
}

func login(cl *client.Client) (*client.Client, error) {
	if err := cl.Login(); err != nil {
		return nil, ClassifyKDC(fmt.Errorf("log on as %s@%s: %w", cl.Credentials.UserName(), cl.Credentials.Domain(), err))
	}
	return cl, nil
}

// Config is the Kerberos configuration: the realm and KDCs given, or the
// krb5.conf named or found.
func (s Source) Config() (*config.Config, error) {
	if len(s.KDCs) > 0 {
		if s.Realm == "" {
			return nil, errors.New("kerberos: KDCs are given without their realm")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "[libdefaults]\n default_realm = %s\n dns_lookup_kdc = false\n dns_lookup_realm = false\n[realms]\n %s = {\n", s.Realm, s.Realm)
		for _, kdc := range s.KDCs {
			fmt.Fprintf(&b, "  kdc = %s\n", kdc)
		}
		b.WriteString(" }\n")
		return config.NewFromString(b.String())
	}
	path := s.Krb5Conf
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

// SplitPrincipal reads the user and realm of a user name written
// "user@REALM", "DOMAIN\user" or "user": the realm given wins, then a
// UPN's suffix (upper-cased), then the default realm.
func SplitPrincipal(name, realm, defaultRealm string) (string, string) {
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
