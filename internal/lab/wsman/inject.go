package wsman

import "time"

// Faults are the transport faults a host shows its clients. The zero value
// is a healthy host. Set them with Host.SetFaults at any time; they apply to
// the next request (Unreachable applies at once).
type Faults struct {
	// Unreachable closes the host's listener and its open connections:
	// clients get "connection refused" until it is cleared.
	Unreachable bool
	// Latency delays every answer by this long.
	Latency time.Duration
	// Unauthorized answers every request with 401, whatever the
	// credentials.
	Unauthorized bool
	// ServerError answers every authenticated request with HTTP 500 and a
	// w:InternalError SOAP fault.
	ServerError bool
	// Hang never answers: the request waits until the client gives up and
	// closes the connection (or the host closes).
	Hang bool
	// Reset closes the TCP connection (with a reset) after reading the
	// request headers, without answering.
	Reset bool
	// StallCommands keeps every command from reporting completion: Receive
	// still delivers output, but after that it answers w:TimedOut after each
	// OperationTimeout, as for a command that never ends (a timeout in the
	// middle of a command). Signal and Delete still work.
	StallCommands bool
}
