package winrm

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/go-ntlmssp"
)

// basicAuth is the Authorization header of HTTP Basic authentication.
func basicAuth(username, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
}

// handshake authenticates pc with NTLM and sends body with the final leg:
// a NEGOTIATE message without a body, the server's CHALLENGE in a 401, and
// the AUTHENTICATE message together with the request. The server binds the
// authentication to the connection, so later requests on pc go without any
// Authorization header until the server answers 401 again.
func (p *connPool) handshake(ctx context.Context, pc *persistConn, body []byte, beforeWrite func(), n *int) (*reply, error) {
	p.handshakes.Add(1)
	negotiate, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		return nil, fmt.Errorf("build the NTLM negotiate message: %w", err)
	}
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
	authenticate, err := ntlmssp.NewAuthenticateMessage(challenge, p.cfg.Username, p.cfg.Password, nil)
	if err != nil {
		return nil, &protocolError{msg: fmt.Sprintf("answer the NTLM challenge: %v", err)}
	}
	rep, err := p.exchange(ctx, pc, body, scheme+" "+base64.StdEncoding.EncodeToString(authenticate), beforeWrite, n)
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusUnauthorized {
		pc.authed = true
	}
	return rep, nil
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
