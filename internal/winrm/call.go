package winrm

import (
	"context"
	"mime"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/masterzen/winrm/soap"
	"github.com/rs/zerolog"
)

// call is one operation on a host (a shell creation, a command, a shell
// deletion): it posts the operation's SOAP messages through the host's
// connection pool, each under the context it is given, and counts them.
type call struct {
	pool *connPool
	host string
	op   string
	log  *zerolog.Logger

	// commandSent is set once a Command message started on its way to
	// the host: from then on the command may be running.
	commandSent atomic.Bool
	posts       atomic.Int64
	exchanges   atomic.Int64
}

func newCall(pool *connPool, host, op string, log *zerolog.Logger) *call {
	return &call{pool: pool, host: host, op: op, log: log}
}

// post sends one SOAP message, whose WS-Addressing Action ends in action
// ("Command", "Receive"), and returns the answer's body, or a
// TransportError classified from the HTTP status and the SOAP fault the
// answer carried.
func (c *call) post(ctx context.Context, action string, message *soap.SoapMessage) ([]byte, error) {
	body := []byte(message.String())
	start := time.Now()
	rep, n, err := c.pool.post(ctx, body, func() {
		if action == "Command" {
			c.commandSent.Store(true)
		}
	})
	c.posts.Add(1)
	c.exchanges.Add(int64(n))
	ev := c.log.Debug().Str("host", c.host).Str("op", c.op).Str("action", action).
		Int("exchanges", n).Dur("duration", time.Since(start))
	if rep != nil {
		ev = ev.Int("status", rep.status)
	}
	if err != nil {
		ev.AnErr("error", err).Msg("winrm request failed")
		return nil, transportError(c.host, c.op, err)
	}
	ev.Msg("winrm request")
	if rep.status == http.StatusInternalServerError && len(rep.body) == 0 && !c.pool.cfg.HTTPS && !c.pool.sealed {
		// What a Windows HTTP listener with AllowUnencrypted = false
		// answers a plain message: no fault, no body.
		return nil, transportError(c.host, c.op, &encryptionRequiredError{})
	}
	if rep.status != http.StatusOK {
		var fault *soapFault
		if isSOAP(rep.header) {
			fault = parseFault(rep.body)
		}
		return nil, transportError(c.host, c.op, &statusError{StatusCode: rep.status, Fault: fault})
	}
	if !isSOAP(rep.header) {
		return nil, transportError(c.host, c.op, &protocolError{msg: "answer is not application/soap+xml"})
	}
	return rep.body, nil
}

// isSOAP reports whether an answer declares a SOAP body.
func isSOAP(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "application/soap+xml"
}
