// Package wsman is the lab's WinRM endpoint: a WS-Management server that
// speaks the Windows Remote Shell protocol (Create, Command, Send, Receive,
// Signal, Delete) over HTTPS or HTTP at /wsman, one listener per simulated
// host, the way a Windows Server answers.
//
// It authenticates with Basic, with NTLM (raw NTLMSSP tokens under the
// Negotiate scheme, NTLMv2 and its MIC verified against the known
// password, key exchange and sealing granted when asked) and, given a
// keytab, with Kerberos (an AP-REQ in SPNEGO or bare, answered with an
// AP-REP; a forwarded TGT makes the logon delegated). Authentication is
// connection-oriented as on Windows: once a kept-alive connection has
// authenticated, later requests on it need no Authorization header.
//
// An HTTP host requires message encryption unless AllowUnencrypted is set,
// as a default Windows server does: requests sealed with the logon's
// session (multipart/encrypted, MS-WSMV 2.2.9.1) are answered sealed, and a
// plain one is refused as Windows refuses it (500 with no body, or 401 when
// the logon cannot seal).
//
// Commands run through a Runner, the organisation model that decides what a
// command line does; the server feeds it standard input from Send requests
// and streams its output to Receive requests, answering a long Receive with
// the w:TimedOut fault after the client's OperationTimeout so that the client
// polls again. Faults are SOAP faults shaped as Windows shapes them. Per host
// the server counts requests by kind and injects transport faults
// (unreachable, slow, 401, 500, hang, reset, stalled commands) on demand.
package wsman
