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
	if faults.ServerError {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, h.maxEnvelope()))
		h.sendFault(w, faultInternal(), "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxEnvelope()+1))
	if err != nil {
		panic(http.ErrAbortHandler)
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
