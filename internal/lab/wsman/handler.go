package wsman

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// ServeHTTP answers one WinRM request: faults injected first, then
// authentication, then the SOAP envelope.
func (h *Host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.counters.http.Add(1)
	faults := h.Faults()
	if faults.Latency > 0 {
		t := time.NewTimer(faults.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		case <-h.shutdown:
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	if faults.Hang {
		select {
		case <-r.Context().Done():
		case <-h.shutdown:
		}
		panic(http.ErrAbortHandler) // no answer at all
	}
	if faults.Reset {
		resetConnection(w)
		return
	}
	if r.URL.Path != "/wsman" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	logon, ok := h.authenticate(w, r, faults)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxEnvelope()+framingSlack+1))
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	body, w, ok = h.unseal(w, r, body)
	if !ok {
		return
	}
	if faults.ServerError {
		h.sendFault(w, faultInternal(), "")
		return
	}
	if int64(len(body)) > h.maxEnvelope() {
		h.sendFault(w, faultEncodingLimit(h.srv.opts.MaxEnvelopeSizeKB), "")
		return
	}
	req, err := parseEnvelope(body)
	if err != nil {
		var f *fault
		if errors.As(err, &f) {
			h.sendFault(w, f, "")
		}
		return
	}
	counter := h.counters.action(req.Action)
	if counter == nil {
		h.sendFault(w, faultActionNotSupported(req.Action), req.MessageID)
		return
	}
	counter.Add(1)
	if req.ResourceURI != resourceCmd {
		h.sendFault(w, faultResourceNotFound(req.ResourceURI), req.MessageID)
		return
	}
	action, payload, err := h.dispatch(r.Context(), req, logon, clientIP(r))
	if err != nil {
		var f *fault
		if !errors.As(err, &f) {
			panic(http.ErrAbortHandler) // the client went away
		}
		h.sendFault(w, f, req.MessageID)
		return
	}
	writeSOAP(w, http.StatusOK, envelope(action, req.MessageID, payload))
}

// unseal applies message encryption to an authenticated request. An
// encrypted request is unsealed with its connection's session, and its
// answer goes through a ResponseWriter that seals it the same way, also
// when it came with the AUTHENTICATE message that set up the session, as
// Windows takes it (the WinRM Ruby gem sent its first sealed message so
// until its commit 1cf1f69; OMI pull request 577). An empty request of a
// logon with session security is a client setting up that security before
// its first encrypted message (pywinrm sends one): it gets 200 with no
// body. A plain request where encryption is required
// is refused as Windows refuses it (source: pywinrm issues 185 and 208 and
// winrm4j issue 151, "Bad HTTP response returned from server. Code 500",
// with the event log saying an unencrypted message was received; the
// empty body is unverified), or with 401 when the logon cannot encrypt at
// all (an NTLM session without sealing: Packer issue 6205, masterzen
// issues 75 and 140, "http response error: 401"). ok is false when unseal
// answered itself.
func (h *Host) unseal(w http.ResponseWriter, r *http.Request, body []byte) ([]byte, http.ResponseWriter, bool) {
	session := sessionOf(r)
	if isEncrypted(r.Header) {
		if session == nil {
			h.unauthorized(w, r, "")
			return nil, w, false
		}
		message, protocol, err := unsealMessage(r.Header.Get("Content-Type"), body, session)
		if err != nil {
			h.counters.badlySealed.Add(1)
			// The session is out of step: the connection cannot carry more
			// (unverified: what Windows answers).
			w.Header().Set("Connection", "close")
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusBadRequest)
			return nil, w, false
		}
		h.counters.encrypted.Add(1)
		return message, &sealingWriter{ResponseWriter: w, session: session, protocol: protocol}, true
	}
	if len(body) == 0 && session != nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil, w, false
	}
	if !h.requiresEncryption() {
		return body, w, true
	}
	h.counters.unencrypted.Add(1)
	if session == nil {
		h.unauthorized(w, r, "")
		return nil, w, false
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusInternalServerError)
	return nil, w, false
}

// maxEnvelope is the largest request body accepted, in bytes.
func (h *Host) maxEnvelope() int64 { return int64(h.srv.opts.MaxEnvelopeSizeKB) * 1024 }

func (h *Host) sendFault(w http.ResponseWriter, f *fault, relatesTo string) {
	h.counters.faults.Add(1)
	writeSOAP(w, f.statusOf(), faultEnvelope(f, relatesTo, h.identity.DNSComputer))
}

// dispatch runs one shell action and returns the response action and body.
func (h *Host) dispatch(ctx context.Context, req *request, logon Logon, ip string) (string, string, error) {
	switch req.Action {
	case actionCreate:
		return h.create(req, logon, ip)
	case actionCommand:
		return h.command(req)
	case actionSend:
		return h.send(req)
	case actionReceive:
		return h.receive(ctx, req)
	case actionSignal:
		return h.signal(req)
	case actionDelete:
		return h.delete(req)
	}
	return "", "", faultActionNotSupported(req.Action)
}

// resetConnection closes the request's TCP connection with a reset,
// without answering.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decodeStdin decodes one rsp:Stream of a Send request.
func decodeStdin(data string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(data)
}
