package winrm

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/ntlm"
	"github.com/rectifyhq/rectify/internal/sealing"
)

// basicAuth is the Authorization header of HTTP Basic authentication.
func basicAuth(username, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
}

// handshake authenticates pc with NTLM: a NEGOTIATE message without a
// body, the server's CHALLENGE in a 401, and the AUTHENTICATE message. The
// server binds the authentication to the connection, so later requests on
// pc go without any Authorization header until the server answers 401
// again.
//
// body travels with the AUTHENTICATE message: sealed with the session the
// handshake establishes when messages are encrypted (a server that grants
// no sealing is refused), plain otherwise.
func (p *connPool) handshake(ctx context.Context, pc *persistConn, body []byte, beforeWrite func(), n *int) (*reply, error) {
	p.handshakes.Add(1)
	client := &ntlm.Client{User: p.cfg.Username, Password: p.cfg.Password.Reveal()}
	negotiate := client.Negotiate()
	p.mu.Lock()
	scheme := p.scheme
	p.mu.Unlock()
	var challenge []byte
	for attempt := 0; ; attempt++ {
		rep, err := p.exchange(ctx, pc, nil, scheme+" "+base64.StdEncoding.EncodeToString(negotiate), nil, n)
		if err != nil {
			return nil, err
		}
		if rep.status != http.StatusUnauthorized {
			return nil, &protocolError{msg: fmt.Sprintf("server answered the NTLM negotiate message with http %d", rep.status)}
		}
		var offered []string
		challenge, offered = ntlmChallenge(rep.header, scheme)
		if challenge != nil && rep.close {
			// The answer to the challenge must travel on this connection.
			return nil, &protocolError{msg: "server closed the connection in the middle of the NTLM handshake"}
		}
		if challenge != nil {
			break
		}
		// The server may speak NTLM only under the other scheme name.
		other := otherScheme(scheme)
		if attempt > 0 || !contains(offered, other) {
			// No NTLM on offer: the 401 stands.
			return rep, nil
		}
		scheme = other
		p.mu.Lock()
		p.scheme = scheme
		p.mu.Unlock()
	}
	authenticate, session, err := client.Authenticate(challenge)
	if err != nil {
		return nil, &protocolError{msg: fmt.Sprintf("answer the NTLM challenge: %v", err)}
	}
	authorization := scheme + " " + base64.StdEncoding.EncodeToString(authenticate)
	if !p.sealed {
		rep, err := p.exchange(ctx, pc, body, authorization, beforeWrite, n)
		if err != nil {
			return nil, err
		}
		if rep.status != http.StatusUnauthorized {
			pc.authed = true
		}
		return rep, nil
	}
	if session == nil || !session.Flags().Confidential() {
		return nil, &protocolError{msg: "the server's NTLM session cannot seal messages (no sealing, key exchange or 128-bit keys), and encryption is required"}
	}
	// The AUTHENTICATE message carries the first message, sealed with the
	// session it establishes: the server verifies the AUTHENTICATE
	// message, then unseals the body with that session. Windows accepts it
	// (the WinRM Ruby gem sent its first sealed message this way from its
	// NTLM encryption support until its commit 1cf1f69 of 2018, which
	// added an empty request for the OMI server alone; OMI pull request
	// 577 reports Windows PowerShell clients doing the same), and it saves
	// the round trip of an empty request.
	pc.session = sealing.NTLM(session)
	rep, err := p.exchange(ctx, pc, body, authorization, beforeWrite, n)
	if err != nil {
		return nil, err
	}
	if rep.status == http.StatusUnauthorized {
		pc.session = nil
		return rep, nil
	}
	pc.authed = true
	return rep, nil
}

// kerberosHandshake authenticates pc with a Kerberos AP-REQ (in SPNEGO,
// under the Negotiate scheme) and completes the context with the server's
// AP-REP, which must come with the answer: mutual authentication is
// required, whatever the transport. As with NTLM, a sealed connection
// authenticates with an empty request and sends body sealed after it;
// otherwise body travels with the AP-REQ.
func (p *connPool) kerberosHandshake(ctx context.Context, pc *persistConn, body []byte, beforeWrite func(), n *int) (*reply, error) {
	p.handshakes.Add(1)
	tkt, forwarded, err := p.tickets.ticket(ctx)
	if err != nil {
		return nil, err
	}
	token, init, err := kerberos.Initiate(tkt, forwarded)
	if err != nil {
		return nil, &protocolError{msg: fmt.Sprintf("build the Kerberos AP-REQ: %v", err)}
	}
	first, write := body, beforeWrite
	if p.sealed {
		first, write = nil, nil
	}
	rep, err := p.exchange(ctx, pc, first, "Negotiate "+base64.StdEncoding.EncodeToString(token), write, n)
	if err != nil {
		return nil, err
	}
	if rep.status == http.StatusUnauthorized {
		return rep, nil
	}
	answer, ok := negotiateToken(rep.header)
	if !ok {
		return nil, &protocolError{msg: fmt.Sprintf("the server answered the Kerberos AP-REQ (http %d) without its AP-REP: no mutual authentication", rep.status)}
	}
	session, err := init.Complete(answer)
	if err != nil {
		return nil, &protocolError{msg: fmt.Sprintf("mutual authentication: %v", err)}
	}
	pc.authed = true
	if !p.sealed {
		return rep, nil
	}
	if rep.status != http.StatusOK {
		return nil, &protocolError{msg: fmt.Sprintf("server answered the Kerberos AP-REQ with http %d", rep.status)}
	}
	pc.session = sealing.Kerberos(session)
	return p.exchange(ctx, pc, body, "", beforeWrite, n)
}

// negotiateToken reads the token of a "Negotiate <token>" answer header.
func negotiateToken(h http.Header) ([]byte, bool) {
	for _, v := range h.Values("Www-Authenticate") {
		name, data, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(name, "Negotiate") || data == "" {
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data)); err == nil && len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

// ntlmChallenge finds the CHALLENGE token the server sent under scheme, and
// lists the schemes it offered.
func ntlmChallenge(h http.Header, scheme string) (token []byte, offered []string) {
	for _, v := range h.Values("Www-Authenticate") {
		name, data, _ := strings.Cut(strings.TrimSpace(v), " ")
		offered = append(offered, name)
		if !strings.EqualFold(name, scheme) || data == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
		if err == nil && len(b) > 0 {
			token = b
		}
	}
	return token, offered
}

func otherScheme(s string) string {
	if strings.EqualFold(s, "NTLM") {
		return "Negotiate"
	}
	return "NTLM"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
