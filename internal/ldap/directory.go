package ldap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

var _ actions.Directory = (*Directory)(nil)

// Directory is one Active Directory domain reached over LDAP. It is safe
// for concurrent use; requests to one server take turns on its connection.
type Directory struct {
	cfg Config
	tls *tls.Config
	dc  *endpoint
	gc  *endpoint
	// tickets gets the Kerberos tickets of AuthKerberos binds.
	tickets *tickets

	baseMu sync.Mutex
	baseDN string
}

// endpoint is one server (DC or Global Catalog) and its kept connection.
// turn holds one token: whoever holds it owns the session.
type endpoint struct {
	cfg     endpointConfig
	turn    chan struct{}
	session *session
	closed  bool
}

func newEndpoint(cfg endpointConfig) *endpoint {
	e := &endpoint{cfg: cfg, turn: make(chan struct{}, 1)}
	e.turn <- struct{}{}
	return e
}

// New checks cfg and returns a Directory. It does not connect: the first
// request dials and binds.
func New(cfg Config) (*Directory, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("ldap config: %w", err)
	}
	dc, err := parseEndpoint(cfg.URL, cfg.StartTLS, cfg.Auth == AuthKerberos, [2]string{"389", "636"})
	if err != nil {
		return nil, fmt.Errorf("ldap config: %w", err)
	}
	gc, err := cfg.globalCatalog(dc)
	if err != nil {
		return nil, fmt.Errorf("ldap config: global catalog: %w", err)
	}
	tlsConf, err := cfg.tlsConfig()
	if err != nil {
		return nil, fmt.Errorf("ldap config: %w", err)
	}
	var tkts *tickets
	if cfg.Auth == AuthKerberos {
		for _, ep := range []endpointConfig{dc, gc} {
			if err := cfg.checkSPN(ep); err != nil {
				return nil, fmt.Errorf("ldap config: %w", err)
			}
		}
		tkts = &tickets{src: cfg.Kerberos.source(cfg.BindUser, cfg.Password)}
	}
	if cfg.InsecureSkipVerify {
		cfg.Logger.Warn().Str("server", dc.address).
			Msg("ldap certificate verification is disabled (insecure_skip_verify): the connection can be intercepted")
	}
	return &Directory{cfg: cfg, tls: tlsConf, dc: newEndpoint(dc), gc: newEndpoint(gc), tickets: tkts, baseDN: cfg.BaseDN}, nil
}

// Close drops the kept connections. Requests after Close fail.
func (d *Directory) Close() error {
	for _, e := range []*endpoint{d.dc, d.gc} {
		<-e.turn
		if e.session != nil {
			e.session.close()
			e.session = nil
		}
		e.closed = true
		e.turn <- struct{}{}
	}
	if d.tickets != nil {
		d.tickets.close()
	}
	return nil
}

// errClosed is returned for requests after Close.
var errClosed = errors.New("directory closed")

// use runs fn with the endpoint's bound session, dialling one when there is
// none or the kept one has died. When fn fails with a network error on a
// reused session and retry (if not nil) allows it, the session is replaced
// once and fn runs again. fn gets an operation context bounded by the configured
// timeout; the raw connection is interrupted when it ends.
func (d *Directory) use(ctx context.Context, e *endpoint, op string, retry func() bool, fn func(ctx context.Context, s *session) error) error {
	select {
	case <-e.turn:
	case <-ctx.Done():
		return classify(ctx, e.cfg.address, op, ctx.Err())
	}
	defer func() { e.turn <- struct{}{} }()
	if e.closed {
		return &actions.TransportError{Kind: actions.KindConnect, Class: actions.Permanent, Host: e.cfg.address, Op: op, Err: errClosed}
	}
	for attempt := 0; ; attempt++ {
		reused := false
		if e.session != nil && e.session.broken() {
			e.session.close()
			e.session = nil
		}
		if e.session == nil {
			dialCtx, cancel := context.WithTimeout(ctx, d.cfg.timeout())
			s, err := d.dialSession(dialCtx, e.cfg)
			cancel()
			if err != nil {
				return err
			}
			e.session = s
		} else {
			reused = true
		}
		started := time.Now()
		opCtx, cancel := context.WithTimeout(ctx, d.cfg.timeout())
		stop := interruptOnDone(opCtx, e.session.raw)
		e.session.bounded.beginResponse(1)
		err := contain(func() error { return fn(opCtx, e.session) })
		interrupted := stop()
		if v := e.session.bounded.violation(); v != nil {
			// The library reports the read that failed as an untyped
			// error; the violation says why it failed.
			err = v
		}
		refused := isBoundsError(err)
		broken := interrupted || refused || e.session.broken()
		var te *actions.TransportError
		if err != nil && !errors.As(err, &te) {
			te = classify(opCtx, e.cfg.address, op, err)
			if broken && te.Kind == actions.KindProtocol && !refused {
				// The library reports a lost connection as an untyped
				// error; the closed connection says what it was.
				te.Kind, te.Class = actions.KindConnect, actions.Retryable
			}
		}
		cancel()
		d.cfg.Logger.Debug().Str("server", e.cfg.address).Str("op", op).
			Dur("duration", time.Since(started)).Bool("ok", err == nil).Msg("ldap request")
		if broken {
			e.session.close()
			e.session = nil
		}
		if err == nil {
			return nil
		}
		if !interrupted && retry != nil && retry() && reused && attempt == 0 && te.Kind == actions.KindConnect {
			continue
		}
		return te
	}
}

// endpointFor picks the DC or the Global Catalog.
func (d *Directory) endpointFor(gc bool) *endpoint {
	if gc {
		return d.gc
	}
	return d.dc
}

// Modify changes one object. The request is sent at most once: a kept
// connection found dead beforehand is replaced first, but a failure after
// the request may have reached the server is returned with MayHaveRun set
// and never retried.
func (d *Directory) Modify(ctx context.Context, req actions.ModifyRequest) error {
	if req.DN == "" {
		return &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Op: "modify", Err: errors.New("modify: empty dn")}
	}
	if len(req.Changes) == 0 {
		return nil
	}
	mod := goldap.NewModifyRequest(req.DN, nil)
	for _, c := range req.Changes {
		if err := checkAttribute(c.Attribute); err != nil {
			return &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Op: "modify", Err: err}
		}
		switch c.Op {
		case actions.ModAdd:
			mod.Add(c.Attribute, c.Values)
		case actions.ModDelete:
			mod.Delete(c.Attribute, c.Values)
		case actions.ModReplace:
			mod.Replace(c.Attribute, c.Values)
		default:
			return &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Op: "modify", Err: fmt.Errorf("modify: unknown operation %d", c.Op)}
		}
	}
	sent := false
	err := d.use(ctx, d.dc, "modify", nil, func(_ context.Context, s *session) error {
		sent = true
		return s.conn.Modify(mod)
	})
	var te *actions.TransportError
	var res *ResultError
	if errors.As(err, &te) && sent && !errors.As(err, &res) {
		// Not a server answer: the request may have reached the server.
		te.MayHaveRun = true
	}
	return err
}

// RootDSE reads the root DSE of the domain controller.
func (d *Directory) RootDSE(ctx context.Context) (actions.Entry, error) {
	return d.rootDSE(ctx, d.dc)
}

// GlobalCatalogRootDSE reads the root DSE through the Global Catalog port.
func (d *Directory) GlobalCatalogRootDSE(ctx context.Context) (actions.Entry, error) {
	return d.rootDSE(ctx, d.gc)
}

// rootDSEAttributes are read in addition to every user attribute.
var rootDSEAttributes = []string{
	"*", "currentTime", "defaultNamingContext", "configurationNamingContext", "rootDomainNamingContext",
	"schemaNamingContext", "namingContexts", "dnsHostName", "serverName", "dsServiceName",
	"supportedControl", "supportedLDAPVersion", "supportedSASLMechanisms", "isGlobalCatalogReady",
	"domainFunctionality", "forestFunctionality", "domainControllerFunctionality", "highestCommittedUSN",
}

func (d *Directory) rootDSE(ctx context.Context, e *endpoint) (actions.Entry, error) {
	var out actions.Entry
	err := d.use(ctx, e, "rootdse", always, func(ctx context.Context, s *session) error {
		res, err := s.conn.Search(goldap.NewSearchRequest("", goldap.ScopeBaseObject, goldap.NeverDerefAliases,
			0, 0, false, "(objectClass=*)", rootDSEAttributes, nil))
		if err != nil {
			return err
		}
		if len(res.Entries) != 1 {
			return &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: e.cfg.address, Op: "rootdse",
				Err: fmt.Errorf("rootDSE search returned %d entries", len(res.Entries))}
		}
		out = convertEntry(res.Entries[0])
		return nil
	})
	return out, err
}

// BaseDN returns the configured base DN, or the DC's defaultNamingContext.
func (d *Directory) BaseDN(ctx context.Context) (string, error) {
	d.baseMu.Lock()
	defer d.baseMu.Unlock()
	if d.baseDN != "" {
		return d.baseDN, nil
	}
	root, err := d.RootDSE(ctx)
	if err != nil {
		return "", err
	}
	base := root.Get("defaultNamingContext")
	if base == "" {
		return "", &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: d.dc.cfg.address, Op: "rootdse",
			Err: errors.New("rootDSE has no defaultNamingContext")}
	}
	d.baseDN = base
	return base, nil
}

func convertEntry(e *goldap.Entry) actions.Entry {
	attrs := make(map[string][]string, len(e.Attributes))
	for _, a := range e.Attributes {
		attrs[a.Name] = append(attrs[a.Name], a.Values...)
	}
	return actions.Entry{DN: e.DN, Attributes: attrs}
}

// always allows a retry: for reads, which change nothing.
func always() bool { return true }
