// Package winrm is rectify's Shell over WS-Management: it runs script ops
// and native commands on Windows hosts. github.com/masterzen/winrm builds
// the SOAP messages (Create, Command, Send, Receive, Signal, Delete); this
// package sends them, reads every answer itself and runs the command's
// Receive loop, so that no byte a host sends reaches a parser that could
// panic on it.
//
// A Shell keeps one remote shell per host and reuses it for every command
// (the shell is created once, recreated if the server has lost it, and
// deleted on Close); commands on one Shell run one at a time. A command
// whose input fits one Send message costs Command, Send and Receive on one
// connection; a command that reported its exit code is released (the
// terminate Signal) only when the next one starts, since deleting the
// shell releases it too. A Pool hands out one Shell per host for a run and
// closes them all at its end.
//
// The HTTP layer is the package's own: a few persistent connections per
// host, each authenticated once (NTLM is connection oriented, so a
// kept-alive connection needs no new handshake until the server answers
// 401; Basic sends its header on every request). Every request is bound to
// the caller's context: a cancelled or expired context aborts the request
// in flight, and the command is then terminated with a Signal.
//
// Over HTTP, messages are encrypted by the NTLM session (Config.Encryption,
// "auto" by default): a default Windows server listens on HTTP 5985 with
// AllowUnencrypted = false and takes nothing else. The package's own NTLM
// client (internal/ntlm) negotiates key exchange and sealing; the
// AUTHENTICATE message of each connection carries its first message,
// sealed with the session it establishes, and every message after it goes
// sealed too, framed as multipart/encrypted (MS-WSMV 2.2.9.1); every
// answer must come sealed and verify. Basic cannot seal; plain HTTP needs
// AllowUnencrypted.
//
// Auth "kerberos" gets a ticket for HTTP/<ServerName> (or
// KerberosConfig.SPN) from the realm's KDC with github.com/jcmturner/gokrb5
// (a password, the user's keytab, or a credential cache such as kinit's),
// authenticates each connection with an AP-REQ in SPNEGO, requires the
// server's AP-REP (mutual authentication), and seals messages with the
// Kerberos context (internal/kerberos) the same way. With
// KerberosConfig.Delegate it asks the KDC for a forwarded TGT and gives it
// to the host, so that commands there can authenticate onwards.
//
// Auth "negotiate" (Windows only) logs on as PowerShell remoting does by
// default: with the credentials of the Windows user rectify runs as,
// through SSPI's Negotiate package (Kerberos for HTTP/<ServerName>, or
// NTLM where Kerberos cannot be had), with no password anywhere, and SSPI's
// EncryptMessage and DecryptMessage seal the messages in the same framing.
// The handshake (negotiate.go: as many rounds as the context needs, each
// with an empty request, mutual authentication required) is portable and
// tested on Linux with contexts built on internal/ntlm and
// internal/kerberos; the SSPI calls themselves (sspi_windows.go) run only
// on Windows and are not exercised by the test suite. Elsewhere the auth
// is refused with the reason.
//
// No host can cost more than a few megabytes and the operation's timeout:
// an answer's headers are read under Config.MaxHeaderBytes (64 KiB), its
// body under four times MaxEnvelopeSize, and a command's output under
// MaxOutputBytes (4 MiB; ops.ScriptRun.MaxOutput for one run). Each limit
// passed is a permanent protocol error naming the host and the limit; a
// panic while handling a host's answer is contained to that host's
// operation the same way.
//
// Script ops follow the wire protocol of package ops: the bootstrap starts
// with a short command line and the op's arguments and script go over
// standard input, in Send messages sized to the envelope, the last one
// carrying the end of input. Standard error arrives as CLIXML and is
// decoded into console text (DecodeCLIXML). Native programs (w32tm,
// repadmin, klist) run inside ops, never as command lines of their own.
//
// Every failure is an *actions.TransportError whose Kind and Class are
// derived from the types of the errors involved (network, TLS, HTTP status,
// SOAP fault codes), never from message text. Retryable failures are
// retried with a bounded, context-aware backoff, except a mutating run
// once its Command message may have reached the host (MayHaveRun).
// Requests are logged at debug level with host, op, SOAP action, HTTP
// exchanges and duration; passwords and sensitive arguments never are.
package winrm
