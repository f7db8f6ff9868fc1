package ldapd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// Kind names one of a DC's LDAP endpoints.
type Kind int

// The endpoints.
const (
	LDAP Kind = iota
	LDAPS
	GC
	GCS
)

// String returns the endpoint's name: ldap, ldaps, gc or gcs.
func (k Kind) String() string {
	return [...]string{"ldap", "ldaps", "gc", "gcs"}[k]
}

// tls reports whether the endpoint speaks TLS from the first byte.
func (k Kind) tls() bool { return k == LDAPS || k == GCS }

// globalCatalog reports whether the endpoint is a Global Catalog port.
func (k Kind) globalCatalog() bool { return k == GC || k == GCS }

// Stats counts what a Server has handled since it was created.
type Stats struct {
	// Open is the number of connections open now; the others count since
	// the server was created.
	Open        int64
	Connections int64
	Binds       int64
	Searches    int64
	Modifies    int64
	Adds        int64
	Deletes     int64
	Extended    int64
	// Rejected counts connections closed for garbage on the wire.
	Rejected int64
	// Panics counts connections lost to a failure inside the server; it
	// stays zero unless the server has a bug.
	Panics int64
}

// Server is one domain controller's LDAP service.
type Server struct {
	dir   *directory.Directory
	opts  Options
	users *accounts

	latency atomic.Int64 // nanoseconds added before each response

	mu        sync.Mutex
	started   bool
	closed    bool
	addrs     map[Kind]string // requested, then bound addresses
	listeners map[Kind]net.Listener
	conns     map[*conn]struct{}
	wg        sync.WaitGroup

	stats struct {
		connections, binds, searches, modifies, adds, deletes, extended, rejected, panics atomic.Int64
	}
}

// New returns a server for the directory; Start opens its listeners.
func New(dir *directory.Directory, opts Options) (*Server, error) {
	if dir == nil {
		return nil, errors.New("ldapd: nil directory")
	}
	opts = opts.withDefaults(dir.DNSName())
	s := &Server{
		dir:       dir,
		opts:      opts,
		addrs:     map[Kind]string{},
		listeners: map[Kind]net.Listener{},
		conns:     map[*conn]struct{}{},
	}
	for k, a := range map[Kind]string{LDAP: opts.Addr, LDAPS: opts.LDAPSAddr, GC: opts.GCAddr, GCS: opts.GCSAddr} {
		if a == "" {
			continue
		}
		if k.tls() && opts.TLSConfig == nil {
			return nil, fmt.Errorf("ldapd: %s listener needs a TLS config", k)
		}
		s.addrs[k] = a
	}
	if len(s.addrs) == 0 {
		return nil, errors.New("ldapd: no listen address")
	}
	s.users = newAccounts(opts, dir)
	return s, nil
}

// Start opens the listeners and serves until Close, or until ctx is done.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("ldapd: already started")
	}
	if err := s.listenLocked(ctx); err != nil {
		return err
	}
	s.started = true
	context.AfterFunc(ctx, func() { _ = s.Close() })
	return nil
}

// listenLocked opens every listener and starts its accept loop; on failure
// it closes those it opened. The caller holds s.mu.
func (s *Server) listenLocked(ctx context.Context) error {
	var lc net.ListenConfig
	for k, addr := range s.addrs {
		l, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, open := range s.listeners {
				_ = open.Close()
			}
			clear(s.listeners)
			return fmt.Errorf("ldapd: listen %s on %s: %w", k, addr, err)
		}
		s.listeners[k] = l
		s.addrs[k] = l.Addr().String() // a later Restart rebinds the same port
	}
	for k, l := range s.listeners {
		s.wg.Add(1)
		go s.accept(k, l)
	}
	return nil
}

// Addr returns the bound address of an endpoint, "" when it is not served.
func (s *Server) Addr(k Kind) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return ""
	}
	return s.addrs[k]
}

// Addrs returns the bound address of every served endpoint.
func (s *Server) Addrs() map[Kind]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Kind]string, len(s.addrs))
	if s.started {
		for k, a := range s.addrs {
			out[k] = a
		}
	}
	return out
}

// Close stops the listeners, drops every connection and waits for the
// server's goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.dropLocked()
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Restart simulates a DC restart: every listener closes and every
// connection drops at once; for the down time (Options.RestartDown when
// zero) connections are refused; then the listeners reopen on the same
// addresses. It returns when the server accepts connections again.
func (s *Server) Restart(ctx context.Context, down time.Duration) error {
	if down <= 0 {
		down = s.opts.RestartDown
	}
	s.mu.Lock()
	if !s.started || s.closed {
		s.mu.Unlock()
		return errors.New("ldapd: restart of a server that is not running")
	}
	s.dropLocked()
	s.mu.Unlock()

	t := time.NewTimer(down)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("ldapd: closed during restart")
	}
	return s.listenLocked(ctx)
}

// dropLocked closes every connection and listener. Connections go first,
// so a client refused by a closed listener knows its old connection is gone.
// The caller holds s.mu.
func (s *Server) dropLocked() {
	for c := range s.conns {
		c.close()
	}
	for k, l := range s.listeners {
		_ = l.Close()
		delete(s.listeners, k)
	}
}

// Drop closes every open connection at once; the listeners stay open.
func (s *Server) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.close()
	}
}

// SetLatency delays every response by d (0 removes the delay).
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// LockOut locks out the account name stands for (DOMAIN\user, a UPN, a DN
// or the bare account name), as too many wrong passwords do on a domain
// with a lockout policy: every bind of it is refused with result 49 and
// data 775 until Unlock.
func (s *Server) LockOut(name string) { s.users.lockOut(name, true) }

// Unlock lets a locked-out account log on again.
func (s *Server) Unlock(name string) { s.users.lockOut(name, false) }

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	open := int64(len(s.conns))
	s.mu.Unlock()
	return Stats{
		Open:        open,
		Connections: s.stats.connections.Load(),
		Binds:       s.stats.binds.Load(),
		Searches:    s.stats.searches.Load(),
		Modifies:    s.stats.modifies.Load(),
		Adds:        s.stats.adds.Load(),
		Deletes:     s.stats.deletes.Load(),
		Extended:    s.stats.extended.Load(),
		Rejected:    s.stats.rejected.Load(),
		Panics:      s.stats.panics.Load(),
	}
}

func (s *Server) accept(k Kind, l net.Listener) {
	defer s.wg.Done()
	for {
		nc, err := l.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // closed
		}
		s.stats.connections.Add(1)
		if s.opts.Serving != nil && !s.opts.Serving() {
			// The directory service is stopped: nothing answers.
			_ = nc.Close()
			continue
		}
		if k.tls() {
			nc = tls.Server(nc, s.opts.TLSConfig)
		}
		c := newConn(s, nc, k)
		s.mu.Lock()
		if s.listeners[k] != l {
			// Closed or restarted while this connection was accepted.
			s.mu.Unlock()
			_ = nc.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// delay waits for the configured latency, or until the connection closes.
func (s *Server) delay(c *conn) {
	d := time.Duration(s.latency.Load())
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.closed:
	}
}
