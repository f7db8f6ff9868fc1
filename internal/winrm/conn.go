package winrm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// longAgo is a deadline in the past: setting it aborts any read or write in
// progress on a connection.
var longAgo = time.Unix(1, 0)

// persistConn is one kept-alive connection to a host and what the host
// knows about it: NTLM authenticates the connection, not the request.
type persistConn struct {
	nc net.Conn
	// in is what br reads from: nc under the budget of the exchange's
	// current phase.
	in        *budgetConn
	br        *bufio.Reader
	bw        *bufio.Writer
	authed    bool
	idleSince time.Time
	// session seals and unseals the messages of an authenticated
	// connection when message encryption is on.
	session sealer
}

func (pc *persistConn) close() { _ = pc.nc.Close() }

// alive reports whether an idle connection can still carry a request: the
// server has neither closed it nor sent anything unasked.
//
// The read is tried before the deadline is waited for, so a close that has
// already arrived shows at once; a live connection costs the short wait.
func (pc *persistConn) alive() bool {
	if err := pc.nc.SetReadDeadline(time.Now().Add(100 * time.Microsecond)); err != nil {
		return false
	}
	_, err := pc.br.Peek(1)
	var ne net.Error
	return err != nil && errors.As(err, &ne) && ne.Timeout()
}

// reply is an HTTP answer with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
	// close is set when the server will not keep the connection.
	close bool
}

// dialTimeoutError is a connect or TLS handshake that did not finish
// within Config.DialTimeout while the caller still had time.
type dialTimeoutError struct {
	addr string
	err  error
}

func (e *dialTimeoutError) Error() string {
	return fmt.Sprintf("connect to %s: no answer within the dial timeout (%v)", e.addr, e.err)
}
func (e *dialTimeoutError) Timeout() bool   { return true }
func (e *dialTimeoutError) Temporary() bool { return true }

// connPool owns the persistent connections to one host and authenticates
// each of them once. Requests run on connections the pool chooses, one at a
// time per connection, so a connection's authentication is never mixed up
// between requests.
type connPool struct {
	cfg   Config
	tls   *tls.Config
	url   string
	slots chan struct{}

	// sealed says messages are encrypted with each connection's session.
	sealed bool
	// tickets gets the host's Kerberos service ticket (Auth kerberos).
	tickets *tickets
	// newContext starts a Negotiate logon (Auth negotiate).
	newContext func(Config) (securityContext, error)

	mu     sync.Mutex
	idle   []*persistConn
	closed bool
	scheme string // the WWW-Authenticate scheme NTLM tokens travel in

	dials, handshakes, exchanges, posts atomic.Int64
}

func newConnPool(cfg Config) (*connPool, error) {
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	p := &connPool{
		cfg:    cfg,
		tls:    tc,
		url:    cfg.url(),
		slots:  make(chan struct{}, cfg.MaxConns),
		scheme: "Negotiate",
		sealed: cfg.sealed(),
	}
	if cfg.Auth == AuthKerberos {
		p.tickets = newTickets(cfg)
	}
	if cfg.Auth == AuthNegotiate {
		p.newContext = newSSPIContext
	}
	return p, nil
}

// post sends one SOAP message and returns the answer and the number of
// HTTP exchanges it took. beforeWrite runs just before the message itself
// (not an authentication leg without it) is written to a connection.
func (p *connPool) post(ctx context.Context, body []byte, beforeWrite func()) (*reply, int, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	defer func() { <-p.slots }()
	p.posts.Add(1)

	pc, err := p.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	var n int
	rep, err := p.send(ctx, pc, body, beforeWrite, &n)
	if err != nil {
		pc.close()
		if ctx.Err() != nil {
			return nil, n, ctx.Err()
		}
		return nil, n, err
	}
	if rep.close {
		pc.close()
	} else {
		p.put(pc)
	}
	return rep, n, nil
}

// send runs the request on pc, authenticating the connection first when it
// is new or the server no longer knows it.
func (p *connPool) send(ctx context.Context, pc *persistConn, body []byte, beforeWrite func(), n *int) (*reply, error) {
	if p.cfg.Auth == AuthBasic {
		return p.exchange(ctx, pc, body, basicAuth(p.cfg.Username, p.cfg.Password.Reveal()), beforeWrite, n)
	}
	if pc.authed && (p.cfg.Auth == AuthKerberos || p.cfg.Auth == AuthNegotiate) {
		rep, err := p.exchange(ctx, pc, body, "", beforeWrite, n)
		if err != nil || rep.status != http.StatusUnauthorized {
			return rep, err
		}
		pc.authed, pc.session = false, nil
	}
	if p.cfg.Auth == AuthKerberos {
		return p.kerberosHandshake(ctx, pc, body, beforeWrite, n)
	}
	if p.cfg.Auth == AuthNegotiate {
		return p.negotiateHandshake(ctx, pc, body, beforeWrite, n)
	}
	if pc.authed {
		rep, err := p.exchange(ctx, pc, body, "", beforeWrite, n)
		if err != nil || rep.status != http.StatusUnauthorized {
			return rep, err
		}
		// The server forgot this connection's authentication: once more.
		pc.authed, pc.session = false, nil
	}
	return p.handshake(ctx, pc, body, beforeWrite, n)
}

// put returns a healthy connection for reuse.
func (p *connPool) put(pc *persistConn) {
	pc.idleSince = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		pc.close()
		return
	}
	p.idle = append(p.idle, pc)
}

// conn takes the most recently used live connection, or dials a new one.
func (p *connPool) conn(ctx context.Context) (*persistConn, error) {
	p.mu.Lock()
	for len(p.idle) > 0 {
		pc := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if time.Since(pc.idleSince) > p.cfg.IdleTimeout || !pc.alive() {
			pc.close()
			continue
		}
		p.mu.Unlock()
		return pc, nil
	}
	p.mu.Unlock()
	return p.dial(ctx)
}

// dial connects and, with HTTPS, verifies the server's certificate.
func (p *connPool) dial(ctx context.Context) (*persistConn, error) {
	p.dials.Add(1)
	addr := net.JoinHostPort(p.cfg.Address, strconv.Itoa(p.cfg.Port))
	dctx, cancel := context.WithTimeout(ctx, p.cfg.DialTimeout)
	defer cancel()
	dial := p.cfg.Dial
	if dial == nil {
		dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	nc, err := dial(dctx, "tcp", addr)
	if err == nil && p.tls != nil {
		tc := tls.Client(nc, p.tls)
		if err = tc.HandshakeContext(dctx); err != nil {
			_ = nc.Close()
		}
		nc = tc
	}
	if err != nil {
		if ctx.Err() == nil && dctx.Err() != nil {
			return nil, &dialTimeoutError{addr: addr, err: err}
		}
		return nil, err
	}
	in := &budgetConn{Conn: nc}
	return &persistConn{nc: nc, in: in, br: bufio.NewReader(in), bw: bufio.NewWriter(nc)}, nil
}

// request builds one POST of body with the given Authorization header,
// sealed with session when it is not nil.
func (p *connPool) request(body []byte, authorization string, session sealer) (*http.Request, error) {
	contentType := soapContentType
	if session != nil && len(body) > 0 {
		sealed, err := sealRequest(body, session)
		if err != nil {
			return nil, &protocolError{msg: fmt.Sprintf("seal the message: %v", err)}
		}
		body, contentType = sealed, encryptedContentType
	}
	req, err := http.NewRequest(http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "rectify")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return req, nil
}

// exchange writes one request on pc and reads its answer, bound to ctx:
// ctx ending aborts the exchange at once.
func (p *connPool) exchange(ctx context.Context, pc *persistConn, body []byte, authorization string, beforeWrite func(), n *int) (*reply, error) {
	req, err := p.request(body, authorization, pc.session)
	if err != nil {
		return nil, err
	}
	p.exchanges.Add(1)
	*n++
	// The context alone ends the exchange (AfterFunc runs once ctx.Err is
	// set), so a failure after it ended is always reported as its error.
	if err := pc.nc.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = pc.nc.SetDeadline(longAgo) })
	defer stop()
	if beforeWrite != nil && len(body) > 0 {
		beforeWrite()
	}
	if err := req.Write(pc.bw); err != nil {
		return nil, err
	}
	if err := pc.bw.Flush(); err != nil {
		return nil, err
	}
	// The status line and headers are read under MaxHeaderBytes: neither an
	// endless header line nor endless headers can grow without bound.
	pc.in.bound(int64(p.cfg.MaxHeaderBytes), &limitError{what: "the answer's headers", setting: "winrm max header bytes", limit: int64(p.cfg.MaxHeaderBytes)})
	resp, err := http.ReadResponse(pc.br, req)
	pc.in.unbound()
	if err != nil {
		return nil, err
	}
	limit := int64(p.cfg.MaxEnvelopeSize) * answerEnvelopes
	b, err := readBounded(resp.Body, &limitError{what: "the answer's body", setting: fmt.Sprintf("%d times the max envelope size", answerEnvelopes), limit: limit})
	if err != nil {
		// Not Body.Close: it would read the rest of the body, however
		// long. The caller closes the connection instead.
		return nil, err
	}
	_ = resp.Body.Close() // at its end: this reads nothing more
	rep := &reply{status: resp.StatusCode, header: resp.Header, body: b, close: resp.Close}
	return p.unseal(pc, rep)
}

// unseal opens a sealed answer in place. On a connection that seals, an
// answer with a body must come sealed: a plain one could be anyone's.
func (p *connPool) unseal(pc *persistConn, rep *reply) (*reply, error) {
	if pc.session == nil {
		if isEncrypted(rep.header) {
			return nil, &protocolError{msg: "the answer is encrypted, but no message encryption was negotiated"}
		}
		return rep, nil
	}
	if !isEncrypted(rep.header) {
		if rep.status == http.StatusUnauthorized {
			// A refusal: whatever it says is not read.
			rep.body = nil
			return rep, nil
		}
		if len(rep.body) > 0 {
			return nil, &protocolError{msg: fmt.Sprintf("an unencrypted answer (http %d) on a connection whose messages are encrypted", rep.status)}
		}
		return rep, nil
	}
	message, innerType, err := openAnswer(rep.header.Get("Content-Type"), rep.body, pc.session)
	if err != nil {
		return nil, err
	}
	header := rep.header.Clone()
	header.Set("Content-Type", innerType)
	rep.header, rep.body = header, message
	return rep, nil
}

// closeIdle closes the idle connections.
func (p *connPool) closeIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pc := range p.idle {
		pc.close()
	}
	p.idle = nil
}

// shutdown closes the idle connections and every connection that is put
// back later.
func (p *connPool) shutdown() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.closeIdle()
}
