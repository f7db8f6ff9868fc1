// Package wsman is the lab's WinRM endpoint: a WS-Management server that
// speaks the Windows Remote Shell protocol (Create, Command, Send, Receive,
// Signal, Delete) over HTTPS or HTTP at /wsman, one listener per simulated
// host, the way a Windows Server answers.
//
// It authenticates with Basic and with NTLM (raw NTLMSSP tokens under the
// Negotiate scheme, NTLMv2 verified against the known password). NTLM is
// connection-oriented as on Windows: once a kept-alive connection has
// authenticated, later requests on it need no Authorization header.
//
// Commands run through a Runner, the organisation model that decides what a
// command line does; the server feeds it standard input from Send requests
// and streams its output to Receive requests, answering a long Receive with
// the w:TimedOut fault after the client's OperationTimeout so that the client
// polls again. Faults are SOAP faults shaped as Windows shapes them. Per host
// the server counts requests by kind and injects transport faults
// (unreachable, slow, 401, 500, hang, reset, stalled commands) on demand.
package wsman
