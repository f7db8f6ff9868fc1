// Package winrm is rectify's Shell over WS-Management: it runs script ops
// and native commands on Windows hosts through github.com/masterzen/winrm,
// adding what that library lacks.
//
// A Shell keeps one remote shell per host and reuses it for every command
// of a run (the shell is created once, recreated if the server has lost it,
// and deleted on Close). Its HTTP layer is its own: a few persistent
// connections per host, each authenticated once (NTLM is connection
// oriented, so a kept-alive connection needs no new handshake; Basic sends
// its header on every request), with every request bound to the caller's
// context so that a cancelled or expired context aborts the request in
// flight and terminates the remote command.
//
// Script ops follow the wire protocol of package ops: the bootstrap starts
// with a short command line and the op's script and arguments go over
// standard input, so a script's size is not limited by cmd.exe. Standard
// error arrives as CLIXML and is decoded into plain text (DecodeCLIXML).
//
// Every failure is an *actions.TransportError whose Kind and Class are
// derived from the types of the errors involved (network, TLS, HTTP status,
// SOAP fault codes), never from message text. Retryable failures are
// retried with a bounded, context-aware backoff, except a mutating run
// once its command may have reached the host.
package winrm
