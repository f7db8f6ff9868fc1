// Package ntlm is NTLMv2 as WinRM uses it (MS-NLMP): the client's
// NEGOTIATE and AUTHENTICATE messages with key exchange and a MIC, the
// parsing of a server's CHALLENGE, the keys both sides derive, and the
// session security that signs and seals messages after authentication
// (MS-NLMP 3.4: extended session security, RC4 sealing, HMAC-MD5
// signatures with sequence numbers).
//
// internal/winrm authenticates and encrypts with it; the lab's WinRM
// server uses its key derivation and session security to verify clients
// and answer them. Its tests check it against the published examples of
// MS-NLMP 4.2.4, and the lab's tests check the server side against
// pywinrm, a client written by others.
//
// Every message from the other side is parsed with bounds checked: a
// malformed one is an error, never a panic.
package ntlm
