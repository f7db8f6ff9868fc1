package ldap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/rectifyhq/rectify/internal/kerberos"
)

// saslConn carries LDAP over the security layer a SASL bind negotiated
// (RFC 4422 3.7, RFC 4752 3.3): from the bind's success on, each buffer
// travels as a four-octet big-endian length and one GSS wrap token, signed
// (integrity) or sealed (confidentiality). Before that, and when the bind
// chose no layer, bytes pass through unchanged.
//
// The LDAP library reads from its own goroutine, which may already wait
// in a read when the layer begins; what that read returns afterwards is
// the start of a framed buffer, since the server sends nothing between
// the bind's answer and the next request, which goes out framed.
type saslConn struct {
	net.Conn
	// maxIn is the largest token the client told the server it takes.
	maxIn int

	layer atomic.Pointer[layerBox]
	wmu   sync.Mutex

	// raw holds bytes of incomplete buffers; plain unwrapped bytes not yet
	// read. Only the reading goroutine touches them.
	raw, plain []byte
}

type layerBox struct{ l kerberos.Layer }

var _ net.Conn = (*saslConn)(nil)

// enable starts the layer: every later read and write is framed.
func (c *saslConn) enable(l kerberos.Layer) { c.layer.Store(&layerBox{l: l}) }

func (c *saslConn) current() kerberos.Layer {
	if b := c.layer.Load(); b != nil {
		return b.l
	}
	return nil
}

// Read returns unwrapped bytes.
func (c *saslConn) Read(p []byte) (int, error) {
	for len(c.plain) == 0 {
		l := c.current()
		if l == nil {
			n, err := c.Conn.Read(p)
			if n == 0 || c.current() == nil {
				return n, err
			}
			// The layer began while this read waited.
			c.raw = append(c.raw, p[:n]...)
			if err != nil {
				return 0, err
			}
			continue
		}
		if err := c.readBuffer(l); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.plain)
	c.plain = c.plain[n:]
	return n, nil
}

// readBuffer reads one framed token and unwraps it into plain. A token
// longer than maxIn is refused at its length, before it is read.
func (c *saslConn) readBuffer(l kerberos.Layer) error {
	if err := c.fill(4); err != nil {
		return err
	}
	size := int64(binary.BigEndian.Uint32(c.raw))
	if size > int64(c.maxIn) {
		return &LimitError{Limit: "MaxMessageBytes", What: "bytes in one SASL buffer", Max: int64(c.maxIn), Got: size}
	}
	if size == 0 {
		return &MalformedError{Reason: "an empty SASL buffer"}
	}
	if err := c.fill(4 + int(size)); err != nil {
		return err
	}
	plain, err := l.Unwrap(c.raw[4 : 4+size])
	if err != nil {
		return &MalformedError{Reason: fmt.Sprintf("a SASL buffer that does not verify: %v", err)}
	}
	c.raw = append(c.raw[:0], c.raw[4+size:]...)
	c.plain = plain
	return nil
}

// fill reads until raw holds n bytes.
func (c *saslConn) fill(n int) error {
	for len(c.raw) < n {
		buf := make([]byte, min(n-len(c.raw), 64<<10))
		k, err := c.Conn.Read(buf)
		c.raw = append(c.raw, buf[:k]...)
		if err != nil && len(c.raw) < n {
			if errors.Is(err, io.EOF) && len(c.raw) > 0 {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// Write wraps p, in as many buffers as the server's largest takes.
func (c *saslConn) Write(p []byte) (int, error) {
	l := c.current()
	if l == nil {
		return c.Conn.Write(p)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	chunk := l.MaxOut() - l.Overhead()
	if chunk <= 0 {
		return 0, fmt.Errorf("the server takes SASL buffers of %d bytes, too small for a wrapped message", l.MaxOut())
	}
	for off := 0; off < len(p); off += chunk {
		token, err := l.Wrap(p[off:min(off+chunk, len(p))])
		if err != nil {
			return off, err
		}
		frame := make([]byte, 4, 4+len(token))
		binary.BigEndian.PutUint32(frame, uint32(len(token)))
		if _, err := c.Conn.Write(append(frame, token...)); err != nil {
			return off, err
		}
	}
	return len(p), nil
}
