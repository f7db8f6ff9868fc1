package ldapd

import (
	"bufio"
	"crypto/tls"
	"strings"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// extended handles ExtendedRequest: StartTLS and Who am I?.
func (c *conn) extended(m *message) bool {
	p := m.op
	if p.TagType != ber.TypeConstructed || len(p.Children) < 1 || len(p.Children) > 2 ||
		p.Children[0].ClassType != ber.ClassContext || p.Children[0].Tag != 0 {
		return c.protocolErrorIn(m)
	}
	oid, err := str(p.Children[0])
	if err != nil {
		return c.protocolErrorIn(m)
	}
	name := ber.NewString(ber.ClassContext, ber.TypePrimitive, 10, oid, "responseName")
	switch oid {
	case oidStartTLS:
		return c.startTLS(m.id, name)
	case oidWhoAmI:
		value := ""
		if id, ok := strings.CutPrefix(c.account, "acct:"); ok {
			value = "u:" + c.srv.opts.NetBIOSDomain + `\` + id
		} else if dn, ok := strings.CutPrefix(c.account, "dn:"); ok {
			value = "dn:" + dn
		}
		v := ber.NewString(ber.ClassContext, ber.TypePrimitive, 11, value, "responseValue")
		return c.write(m.id, result{}.packet(opExtendedResponse, name, v))
	}
	return c.write(m.id, result{code: 2, message: errUnknownExtended}.packet(opExtendedResponse))
}

// startTLS answers StartTLS and, on success, performs the handshake on the
// same connection (RFC 4511, section 4.14).
func (c *conn) startTLS(id int64, name *ber.Packet) bool {
	switch {
	case c.isTLS:
		return c.write(id, result{code: 1, message: errTLSActive}.packet(opExtendedResponse, name))
	case c.srv.opts.TLSConfig == nil:
		return c.write(id, result{code: 52, message: errTLSUnavailable}.packet(opExtendedResponse, name))
	case c.r.Buffered() > 0:
		// The client sent more before the TLS layer was in place: such
		// bytes could be injected, so the request is refused.
		return c.write(id, result{code: 1, message: errDecoding}.packet(opExtendedResponse, name))
	}
	if !c.write(id, result{}.packet(opExtendedResponse, name)) {
		return false
	}
	tc := tls.Server(c.nc, c.srv.opts.TLSConfig)
	_ = tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.Handshake(); err != nil {
		return false
	}
	_ = tc.SetDeadline(time.Time{})
	c.ncMu.Lock()
	c.nc = tc
	c.ncMu.Unlock()
	select {
	case <-c.closed:
		// Dropped during the handshake: close the TLS layer too.
		_ = tc.Close()
		return false
	default:
	}
	c.r = bufio.NewReader(tc)
	c.isTLS = true
	return true
}
