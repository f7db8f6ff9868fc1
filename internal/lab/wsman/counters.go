package wsman

import "sync/atomic"

// Counts is a snapshot of what one host (or, summed, a whole server) has
// answered. Benchmarks and tests read it; it is a plain value.
type Counts struct {
	// HTTP is the number of HTTP requests received, whatever their outcome.
	HTTP int64
	// Connections is the number of TCP connections accepted.
	Connections int64
	// Unauthorized is the number of 401 answers, NTLM challenges included.
	Unauthorized int64
	// Handshakes is the number of NTLM handshakes completed: AUTHENTICATE
	// messages verified.
	Handshakes int64
	// Faults is the number of SOAP faults sent (w:TimedOut included).
	Faults int64
	// Encrypted is the number of requests that came encrypted and
	// unsealed; Unencrypted the number of plain requests refused because
	// the listener requires encryption; BadlySealed the number of
	// encrypted requests that did not unseal.
	Encrypted, Unencrypted, BadlySealed int64
	// The SOAP requests received, by action, once authenticated and parsed.
	Create, Command, Send, Receive, Signal, Delete int64
}

// SOAP returns the number of shell requests of every action.
func (c Counts) SOAP() int64 {
	return c.Create + c.Command + c.Send + c.Receive + c.Signal + c.Delete
}

// Add returns the field-wise sum of c and o.
func (c Counts) Add(o Counts) Counts {
	return Counts{
		HTTP:         c.HTTP + o.HTTP,
		Connections:  c.Connections + o.Connections,
		Unauthorized: c.Unauthorized + o.Unauthorized,
		Handshakes:   c.Handshakes + o.Handshakes,
		Faults:       c.Faults + o.Faults,
		Encrypted:    c.Encrypted + o.Encrypted,
		Unencrypted:  c.Unencrypted + o.Unencrypted,
		BadlySealed:  c.BadlySealed + o.BadlySealed,
		Create:       c.Create + o.Create,
		Command:      c.Command + o.Command,
		Send:         c.Send + o.Send,
		Receive:      c.Receive + o.Receive,
		Signal:       c.Signal + o.Signal,
		Delete:       c.Delete + o.Delete,
	}
}

// counters is the live, concurrently updated form of Counts.
type counters struct {
	http, connections, unauthorized, handshakes, faults  atomic.Int64
	encrypted, unencrypted, badlySealed                  atomic.Int64
	create, command, send, receive, signal, deleteShells atomic.Int64
}

func (c *counters) snapshot() Counts {
	return Counts{
		HTTP:         c.http.Load(),
		Connections:  c.connections.Load(),
		Unauthorized: c.unauthorized.Load(),
		Handshakes:   c.handshakes.Load(),
		Faults:       c.faults.Load(),
		Encrypted:    c.encrypted.Load(),
		Unencrypted:  c.unencrypted.Load(),
		BadlySealed:  c.badlySealed.Load(),
		Create:       c.create.Load(),
		Command:      c.command.Load(),
		Send:         c.send.Load(),
		Receive:      c.receive.Load(),
		Signal:       c.signal.Load(),
		Delete:       c.deleteShells.Load(),
	}
}

// action returns the counter of a SOAP action, or nil for an unknown one.
func (c *counters) action(action string) *atomic.Int64 {
	switch action {
	case actionCreate:
		return &c.create
	case actionCommand:
		return &c.command
	case actionSend:
		return &c.send
	case actionReceive:
		return &c.receive
	case actionSignal:
		return &c.signal
	case actionDelete:
		return &c.deleteShells
	}
	return nil
}
