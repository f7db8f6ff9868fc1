package wsman

import (
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/internal/kerberos"
	"github.com/rectifyhq/rectify/internal/sealing"
)

// connKey keys a connection's authentication state in request contexts.
type connKey struct{}

// connAuth is what a connection has proved so far. NTLM authenticates the
// connection: once an AUTHENTICATE message verifies, later requests on the
// same connection need no Authorization header. Basic authenticates only
// the request carrying it.
type connAuth struct {
	mu        sync.Mutex
	handshake *ntlmHandshake // outstanding NTLM handshake
	logon     Logon          // logon authenticated by NTLM; User "" if none
	// session is the session security of the logon, when the client
	// negotiated it (NTLM signing and sealing, or a Kerberos context):
	// what message encryption uses.
	session sealer
}

// authenticate checks a request's credentials. It returns the logon, or
// answers 401 itself and returns ok false.
func (h *Host) authenticate(w http.ResponseWriter, r *http.Request, faults Faults) (logon Logon, ok bool) {
	opts := &h.srv.opts
	ca, _ := r.Context().Value(connKey{}).(*connAuth)
	if ca == nil {
		ca = &connAuth{}
	}
	header := r.Header.Get("Authorization")
	if faults.Unauthorized {
		h.unauthorized(w, r, "")
		return Logon{}, false
	}
	if header == "" {
		ca.mu.Lock()
		logon = ca.logon
		ca.mu.Unlock()
		if logon.User != "" {
			return logon, true
		}
		h.unauthorized(w, r, "")
		return Logon{}, false
	}
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	switch {
	case strings.EqualFold(scheme, "Basic") && h.basicOffered():
		raw, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			break
		}
		name, password, found := strings.Cut(string(raw), ":")
		if found && sameAccount(name, opts.Username) &&
			subtle.ConstantTimeCompare([]byte(password), []byte(opts.Password)) == 1 {
			return Logon{User: name, Mechanism: MechanismBasic}, true
		}
	case (strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "Kerberos")) && opts.Keytab != nil &&
		!isNTLM(token):
		raw, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			break
		}
		ca.mu.Lock()
		defer ca.mu.Unlock()
		ca.logon, ca.session, ca.handshake = Logon{}, nil, nil
		accepted, err := kerberos.Accept(raw, opts.Keytab, maxClockSkew)
		if err != nil || !sameAccount(accepted.User, opts.Username) {
			break
		}
		ca.logon = Logon{User: accepted.User, Mechanism: MechanismKerberos, Delegated: accepted.Delegated}
		ca.session = sealing.Kerberos(accepted.Session)
		// Mutual authentication: the AP-REP travels with the answer.
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(accepted.Answer))
		h.counters.handshakes.Add(1)
		return ca.logon, true
	case (strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "NTLM")) && !opts.DisableNTLM:
		raw, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			break
		}
		ca.mu.Lock()
		defer ca.mu.Unlock()
		switch ntlmMessageType(raw) {
		case ntlmNegotiate:
			ca.logon, ca.session = Logon{}, nil
			challenge, serverChallenge, err := buildChallenge(raw, h.identity, time.Now())
			if err != nil {
				break
			}
			ca.handshake = &ntlmHandshake{negotiate: raw, challenge: challenge, serverChallenge: serverChallenge}
			h.unauthorized(w, r, scheme+" "+base64.StdEncoding.EncodeToString(challenge))
			return Logon{}, false
		case ntlmAuthenticate:
			pending := ca.handshake
			ca.handshake = nil
			if pending == nil {
				break
			}
			verified, err := verifyAuthenticate(raw, *pending, ntlmCredential{Username: opts.Username, Password: opts.Password})
			if err != nil {
				break
			}
			ca.logon = Logon{User: verified.user, Mechanism: MechanismNTLM}
			if verified.session != nil {
				ca.session = sealing.NTLM(verified.session)
			}
			h.counters.handshakes.Add(1)
			return ca.logon, true
		}
	}
	h.unauthorized(w, r, "")
	return Logon{}, false
}

// unauthorized answers 401. With a challenge it continues an NTLM
// handshake; without, it offers the enabled schemes as WinRM does. The
// request body is drained first so that the connection stays usable for
// the next leg of the handshake.
func (h *Host) unauthorized(w http.ResponseWriter, r *http.Request, challenge string) {
	opts := &h.srv.opts
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, int64(opts.MaxEnvelopeSizeKB)*2048))
	if challenge != "" {
		w.Header().Add("WWW-Authenticate", challenge)
	} else {
		if !opts.DisableNTLM || opts.Keytab != nil {
			w.Header().Add("WWW-Authenticate", "Negotiate")
		}
		if opts.Keytab != nil {
			w.Header().Add("WWW-Authenticate", "Kerberos")
		}
		if h.basicOffered() {
			w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
		}
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
	h.counters.unauthorized.Add(1)
}

// basicOffered reports whether the host takes Basic authentication: not
// when the service disables it, and not on an HTTP listener that requires
// encryption, since Basic cannot encrypt a message (unverified: how
// Windows words its refusal; that Basic needs AllowUnencrypted over HTTP
// is documented for the WinRM service configuration).
func (h *Host) basicOffered() bool {
	return !h.srv.opts.DisableBasic && !h.requiresEncryption()
}

// requiresEncryption reports whether unencrypted messages are refused: an
// HTTP listener whose service has AllowUnencrypted = false, the default of
// a Windows server.
func (h *Host) requiresEncryption() bool {
	return h.srv.opts.HTTP && !h.srv.opts.AllowUnencrypted
}

// sessionOf returns the session security of the request's connection, if
// its logon negotiated one.
func sessionOf(r *http.Request) sealer {
	ca, _ := r.Context().Value(connKey{}).(*connAuth)
	if ca == nil {
		return nil
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.session
}

// maxClockSkew is the Kerberos clock tolerance of the lab's hosts: Windows'
// default (the Kerberos policy's five minutes).
const maxClockSkew = 5 * time.Minute

// isNTLM reports whether a base64 Negotiate token is an NTLMSSP message
// rather than a Kerberos or SPNEGO one.
func isNTLM(token string) bool {
	raw, err := base64.StdEncoding.DecodeString(token)
	return err == nil && ntlmMessageType(raw) != 0
}
