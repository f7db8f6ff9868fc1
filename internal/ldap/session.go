package ldap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/actions"
)

// oidStartTLS is the StartTLS extended operation (RFC 4511 4.14).
const oidStartTLS = "1.3.6.1.4.1.1466.20037"

// session is one bound LDAP connection. raw is the TCP connection under
// it, kept so that a context can interrupt any blocked read or write by
// moving its deadline; bounded is the TLS connection the library reads,
// whose bytes are checked against the bounds.
type session struct {
	conn    *goldap.Conn
	raw     net.Conn
	bounded *boundedConn
	addr    string // host:port, for errors and logs
}

// broken reports whether the connection has been closed (by the server,
// by a failed read, or by a cancelled operation).
func (s *session) broken() bool { return s.conn.IsClosing() }

func (s *session) close() {
	_ = s.conn.Close()
	_ = s.raw.Close()
}

// interruptOnDone moves the raw connection's deadline into the past when
// ctx ends, which makes the blocked library call fail and close the
// connection. The returned function reports whether ctx ended first.
func interruptOnDone(ctx context.Context, raw net.Conn) (stop func() bool) {
	stopFn := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	return func() bool { return !stopFn() }
}

// dialSession connects, secures and binds one connection. Every step
// honours ctx. Failures are classified TransportErrors.
func (d *Directory) dialSession(ctx context.Context, ep endpointConfig) (*session, error) {
	started := time.Now()
	var dialer net.Dialer
	raw, err := dialer.DialContext(ctx, "tcp", ep.address)
	if err != nil {
		return nil, classify(ctx, ep.address, "dial", err)
	}
	stop := interruptOnDone(ctx, raw)
	s, err := d.secureAndBind(ctx, ep, raw)
	if interrupted := stop(); interrupted || err != nil {
		_ = raw.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	}
	d.cfg.Logger.Debug().Str("server", ep.address).Str("op", "connect").
		Dur("duration", time.Since(started)).Msg("ldap connection bound")
	return s, nil
}

func (d *Directory) secureAndBind(ctx context.Context, ep endpointConfig, raw net.Conn) (*session, error) {
	if ep.startTLS {
		if err := startTLS(newBoundedConn(raw, d.cfg)); err != nil {
			te := classify(ctx, ep.address, "starttls", err)
			if te.Kind != actions.KindTimeout && te.Kind != actions.KindCanceled && !isBoundsError(err) {
				// A server that will not start TLS (no certificate,
				// unwillingToPerform) will not on a retry either.
				te.Kind, te.Class = actions.KindTLS, actions.Permanent
			}
			return nil, te
		}
	}
	// A sealed endpoint runs no TLS: the Kerberos bind's confidentiality
	// layer protects its messages instead.
	var under net.Conn = raw
	var state tls.ConnectionState
	if ep.tls() {
		conf := d.tls.Clone()
		if conf.ServerName == "" {
			conf.ServerName = ep.url.Hostname()
		}
		tlsConn := tls.Client(raw, conf)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			return nil, classify(ctx, ep.address, "tls", &handshakeError{err: err})
		}
		under, state = tlsConn, tlsConn.ConnectionState()
	}
	// A Kerberos bind may negotiate a SASL security layer, which then
	// frames everything under the LDAP messages.
	var layered *saslConn
	if d.cfg.Auth == AuthKerberos {
		layered = &saslConn{Conn: under, maxIn: d.cfg.saslMaxIn()}
		under = layered
	}
	bounded := newBoundedConn(under, d.cfg)
	conn := goldap.NewConn(bounded, ep.tls())
	conn.Start()
	s := &session{conn: conn, raw: raw, bounded: bounded, addr: ep.address}
	target := bindTarget{conn: conn, ep: ep, tls: state, layered: layered}
	if err := contain(func() error { return d.bind(ctx, target) }); err != nil {
		dropped := conn.IsClosing()
		s.close()
		if v := bounded.violation(); v != nil {
			err = v
		}
		te := classify(ctx, ep.address, "bind", err)
		if dropped && te.Kind == actions.KindProtocol && !isBoundsError(err) {
			// The server hung up instead of answering the bind: what
			// Samba does with go-ldap's NTLM (sicily) bind. Trying again
			// will not help.
			te.Kind, te.Class = actions.KindAuth, actions.Permanent
			te.Err = fmt.Errorf("%w: %w", errBindDropped, err)
		}
		return nil, te
	}
	return s, nil
}

// errBindDropped says the server closed the connection in answer to a bind.
var errBindDropped = errors.New("the server closed the connection instead of answering the bind")

// startTLS runs the StartTLS extended operation on a fresh connection
// before go-ldap takes it over, so that the handshake that follows keeps
// crypto/tls's typed errors and honours the caller's context. raw's answer
// is checked against the bounds.
func startTLS(raw *boundedConn) error {
	packet := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	packet.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 1, "MessageID"))
	request := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationExtendedRequest, nil, "Start TLS")
	request.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, oidStartTLS, "TLS Extended Command"))
	packet.AppendChild(request)
	if _, err := raw.Write(packet.Bytes()); err != nil {
		return err
	}
	for {
		resp, err := ber.ReadPacket(raw)
		if err != nil {
			return err
		}
		if len(resp.Children) < 2 {
			return goldap.NewError(goldap.ErrorUnexpectedResponse, errors.New("malformed StartTLS response"))
		}
		id, ok := resp.Children[0].Value.(int64)
		if !ok {
			return goldap.NewError(goldap.ErrorUnexpectedResponse, errors.New("StartTLS response without message id"))
		}
		if id == 0 {
			// An unsolicited notification (notice of disconnection).
			if err := goldap.GetLDAPError(resp); err != nil {
				return err
			}
			continue
		}
		if id != 1 || resp.Children[1].Tag != goldap.ApplicationExtendedResponse {
			return goldap.NewError(goldap.ErrorUnexpectedResponse, fmt.Errorf("unexpected answer to StartTLS (message %d)", id))
		}
		return goldap.GetLDAPError(resp)
	}
}

// bindTarget is a connection to bind: the LDAP connection, the endpoint,
// the TLS connection's state (its certificate binds Kerberos to it), and
// the layer under the LDAP messages when a SASL layer may start.
type bindTarget struct {
	conn    *goldap.Conn
	ep      endpointConfig
	tls     tls.ConnectionState
	layered *saslConn
}

// bind authenticates the connection with the configured mechanism.
func (d *Directory) bind(ctx context.Context, b bindTarget) error {
	switch d.cfg.Auth {
	case AuthNTLM:
		domain, user := splitDownLevel(d.cfg.BindUser)
		return b.conn.NTLMBind(domain, user, d.cfg.Password.Reveal())
	case AuthKerberos:
		return d.kerberosBind(ctx, b)
	case AuthNegotiate:
		return d.sspiBind(ctx, b.conn, b.ep, b.tls)
	}
	_, err := b.conn.SimpleBind(&goldap.SimpleBindRequest{
		Username: d.cfg.BindUser,
		Password: d.cfg.Password.Reveal(),
	})
	return err
}

// splitDownLevel splits CORP\user into its domain and user; a user
// principal name stays whole with an empty domain.
func splitDownLevel(name string) (domain, user string) {
	if i := strings.IndexByte(name, '\\'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}
