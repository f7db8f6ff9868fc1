package ldapd

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// handshakeTimeout bounds a TLS handshake, on LDAPS and after StartTLS.
const handshakeTimeout = 10 * time.Second

// conn is one client connection. Requests are handled one at a time in
// arrival order; only close may be called from another goroutine.
type conn struct {
	srv  *Server
	kind Kind
	nc   net.Conn
	r    *bufio.Reader

	// isTLS is set on LDAPS and GC-over-TLS from the start and after a
	// successful StartTLS.
	isTLS bool
	// account is the bound identity, "" while anonymous.
	account string
	// pages holds the server side of paged searches by cookie.
	pages map[string]*pageState

	// ncMu guards replacing nc (StartTLS) against close from another
	// goroutine.
	ncMu      sync.Mutex
	closeOnce sync.Once
	closed    chan struct{}
}

func newConn(s *Server, nc net.Conn, k Kind) *conn {
	return &conn{
		srv:    s,
		kind:   k,
		nc:     nc,
		r:      bufio.NewReader(nc),
		isTLS:  k.tls(),
		pages:  map[string]*pageState{},
		closed: make(chan struct{}),
	}
}

func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.ncMu.Lock()
		_ = c.nc.Close()
		c.ncMu.Unlock()
	})
}

// serve reads and answers requests until the client unbinds, the
// connection breaks, or garbage arrives.
func (c *conn) serve() {
	defer c.close()
	defer func() {
		// A bug in a handler must cost one connection, not the lab.
		if recover() != nil {
			c.srv.stats.panics.Add(1)
		}
	}()
	if tc, ok := c.nc.(*tls.Conn); ok {
		_ = tc.SetDeadline(time.Now().Add(handshakeTimeout))
		if err := tc.Handshake(); err != nil {
			return
		}
		_ = tc.SetDeadline(time.Time{})
	}
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.srv.opts.IdleTimeout))
		frame, err := readFrame(c.r, c.srv.opts.MaxMessageSize)
		if err != nil {
			if errors.Is(err, errMalformed) {
				c.srv.stats.rejected.Add(1)
				c.disconnect()
			}
			return
		}
		m, err := decodeMessage(frame)
		if err != nil {
			c.srv.stats.rejected.Add(1)
			c.disconnect()
			return
		}
		if !c.handle(m) {
			return
		}
	}
}

// handle answers one message and reports whether to keep the connection.
func (c *conn) handle(m *message) bool {
	if m.op.Tag != opUnbindRequest && m.op.Tag != opAbandonRequest {
		c.srv.delay(c)
	}
	switch m.op.Tag {
	case opUnbindRequest:
		return false
	case opAbandonRequest:
		// Requests run one at a time, so there is nothing in flight to
		// abandon; RFC 4511 sends no response.
		return true
	case opBindRequest:
		c.srv.stats.binds.Add(1)
		return c.write(m.id, c.bind(m).packet(opBindResponse))
	case opSearchRequest:
		c.srv.stats.searches.Add(1)
		return c.search(m)
	case opModifyRequest:
		c.srv.stats.modifies.Add(1)
		return c.write(m.id, c.modify(m).packet(opModifyResponse))
	case opAddRequest:
		c.srv.stats.adds.Add(1)
		return c.write(m.id, c.add(m).packet(opAddResponse))
	case opDelRequest:
		c.srv.stats.deletes.Add(1)
		return c.write(m.id, c.del(m).packet(opDelResponse))
	case opExtendedRequest:
		c.srv.stats.extended.Add(1)
		return c.extended(m)
	case opCompareRequest:
		return c.write(m.id, c.compare(m).packet(opCompareResponse))
	case opModDNRequest:
		tag, _ := responseTag(m.op.Tag)
		return c.write(m.id, unwillingToPerform().packet(tag))
	}
	// An operation this server does not know has no response type to
	// answer in: say so in a notice of disconnection and hang up.
	c.disconnect()
	return false
}

// write sends one message; it reports false when the connection broke.
func (c *conn) write(id int64, op *ber.Packet, controls ...*ber.Packet) bool {
	return c.send(envelope(id, op, controls...).Bytes())
}

// send writes bytes to the client, giving up on a client that stops
// reading for WriteTimeout.
func (c *conn) send(b []byte) bool {
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
	_, err := c.nc.Write(b)
	return err == nil
}

// disconnect sends the notice of disconnection (RFC 4511, section 4.4.1)
// with protocolError.
func (c *conn) disconnect() {
	r := result{code: 2, message: errDecoding}
	c.write(0, r.packet(opExtendedResponse, noticeOfDisconnection()))
}

func noticeOfDisconnection() *ber.Packet {
	return ber.NewString(ber.ClassContext, ber.TypePrimitive, 10, "1.3.6.1.4.1.1466.20036", "responseName")
}

// protocolErrorIn answers a malformed request in its own response type.
func (c *conn) protocolErrorIn(m *message) bool {
	tag, ok := responseTag(m.op.Tag)
	if !ok {
		c.disconnect()
		return false
	}
	return c.write(m.id, result{code: 2, message: errDecoding}.packet(tag))
}
