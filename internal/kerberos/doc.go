// Package kerberos is Kerberos V5 as WinRM uses it over HTTP (MS-WSMV
// 2.2.9.1.2): the initiator's AP-REQ in an SPNEGO token, with a subkey,
// a sequence number and the GSS checksum of RFC 4121 (mutual
// authentication, confidentiality, optional delegation); the acceptor's
// verification with a keytab and its AP-REP with a subkey of its own; and
// the session security that seals WinRM messages with RFC 4121 wrap tokens
// in the layout Windows and MIT's gss_wrap_iov use (a 60-byte header for
// AES: the token header, then the rotated encrypted header copy, checksum
// and confounder, EC 0, RRC 28), which the framing of MS-WSMV carries as
// the "signature".
//
// Tickets come from github.com/jcmturner/gokrb5: a Source says where
// (password, keytab or the user's credential cache; the realm's KDCs or a
// krb5.conf) for WinRM and LDAP alike, and sorts the KDC's refusals
// (TicketError) from KDCs that cannot be reached (KDCError). This package
// builds and reads the GSS layer above the tickets. Only the AES encryption types (17, 18) seal messages: RC4's
// wrap tokens (RFC 4757) are refused with an error that says so.
//
// internal/winrm authenticates and encrypts with the initiator side; the
// lab's WinRM server verifies and answers with the acceptor side. Their
// tests run against a Samba AD DC's KDC, and the lab's against a client
// built on MIT's GSSAPI (python3-gssapi), so neither side is only checked
// against the other.
package kerberos
