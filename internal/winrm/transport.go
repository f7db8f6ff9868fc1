package winrm

import (
	"bytes"
	"context"
	"encoding/xml"
	"mime"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
	"github.com/rs/zerolog"
)

// callTransport is the masterzen Transporter of one call (a shell creation,
// a command, a shell deletion). masterzen's Post has no context parameter,
// so the call's context lives here for the call's duration: every message
// the library posts for the call runs under it and is aborted when it ends.
// After a cancelled command, use switches to a short cleanup context so
// that the terminate signal can still be sent.
type callTransport struct {
	pool *connPool
	host string
	op   string
	log  *zerolog.Logger

	mu  sync.Mutex
	ctx context.Context

	// commandSent is set once a Command message started on its way to
	// the host: from then on the command may be running.
	commandSent atomic.Bool
	posts       atomic.Int64
	exchanges   atomic.Int64
	// created is the answer to a Create message.
	created string
	// command is the CommandId of the answer to a Command message.
	command string
}

var _ winrm.Transporter = (*callTransport)(nil)

func newCallTransport(ctx context.Context, pool *connPool, host, op string, log *zerolog.Logger) *callTransport {
	return &callTransport{pool: pool, host: host, op: op, log: log, ctx: ctx}
}

// use makes later posts run under ctx.
func (t *callTransport) use(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ctx = ctx
}

// commandID returns the id of the command the call started.
func (t *callTransport) commandID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.command
}

// createAnswer returns the body of the answer to the call's Create message.
func (t *callTransport) createAnswer() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.created
}

func (t *callTransport) context() context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ctx
}

// Transport is part of masterzen's Transporter; the pool already knows
// the endpoint.
func (t *callTransport) Transport(*winrm.Endpoint) error { return nil }

// Post sends one SOAP message through the host's connection pool and
// returns the answer's body, or a TransportError classified from the HTTP
// status and the SOAP fault the answer carried.
func (t *callTransport) Post(_ *winrm.Client, message *soap.SoapMessage) (string, error) {
	ctx := t.context()
	body := []byte(message.String())
	action := soapAction(body)
	start := time.Now()
	rep, n, err := t.pool.post(ctx, body, func() {
		if action == "Command" {
			t.commandSent.Store(true)
		}
	})
	t.posts.Add(1)
	t.exchanges.Add(int64(n))
	ev := t.log.Debug().Str("host", t.host).Str("op", t.op).Str("action", action).
		Int("exchanges", n).Dur("duration", time.Since(start))
	if rep != nil {
		ev = ev.Int("status", rep.status)
	}
	if err != nil {
		ev.AnErr("error", err).Msg("winrm request failed")
		return "", transportError(t.host, t.op, err)
	}
	ev.Msg("winrm request")
	if rep.status != http.StatusOK {
		var fault *soapFault
		if isSOAP(rep.header) {
			fault = parseFault(rep.body)
		}
		return "", transportError(t.host, t.op, &statusError{StatusCode: rep.status, Fault: fault})
	}
	if !isSOAP(rep.header) {
		return "", transportError(t.host, t.op, &protocolError{msg: "answer is not application/soap+xml"})
	}
	switch action {
	case "Create":
		t.mu.Lock()
		t.created = string(rep.body)
		t.mu.Unlock()
	case "Command":
		// masterzen keeps the id to itself; the input is sent here.
		id, _ := winrm.ParseExecuteCommandResponse(string(rep.body))
		t.mu.Lock()
		t.command = id
		t.mu.Unlock()
	}
	return string(rep.body), nil
}

// isSOAP reports whether an answer declares a SOAP body.
func isSOAP(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "application/soap+xml"
}

// soapAction reads the last segment of a message's WS-Addressing Action
// ("Command", "Receive"), for logs and for knowing when a command starts.
// It stops at the end of the header, so large bodies cost nothing.
func soapAction(message []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(message))
	inAction := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inAction = t.Name.Local == "Action"
			if t.Name.Local == "Body" {
				return ""
			}
		case xml.CharData:
			if inAction {
				s := string(bytes.TrimSpace(t))
				if i := bytes.LastIndexByte([]byte(s), '/'); i >= 0 {
					return s[i+1:]
				}
				return s
			}
		case xml.EndElement:
			inAction = false
		}
	}
}
