// Package ldap is rectify's Active Directory client: an actions.Directory
// over LDAP, built on github.com/go-ldap/ldap/v3.
//
// A Directory talks to one domain. It keeps one bound connection to the
// domain controller and one to the Global Catalog, each used by one request
// at a time, and redials once when a kept connection turns out to be dead.
//
// Connections are always protected. Simple and NTLM binds run inside TLS
// (ldaps://, or ldap:// followed by StartTLS); certificates are verified
// against the configured CA unless the configuration explicitly says
// otherwise (and then a warning is logged). A simple bind with a user
// principal name (user@corp.example.com) or a down-level name (CORP\user) is
// the default. NTLM bind is an option, but go-ldap's NTLM bind signs
// nothing and sends no channel binding token, so domain controllers
// hardened with channel binding (LdapEnforceChannelBinding=2) refuse it,
// and Samba, which offers NTLM only inside SASL GSS-SPNEGO, closes the
// connection.
//
// A Kerberos bind (SASL GSSAPI, RFC 4752) sends a service ticket for the
// DC's ldap/<fqdn> instead of a password, with tickets from a password, a
// keytab or a credential cache (internal/kerberos), and verifies the DC's
// AP-REP (mutual authentication). It runs in one of two ways, as the DC
// allows:
//   - inside TLS, bound to the TLS connection by the DC's certificate
//     (channel binding, RFC 5929 tls-server-end-point, which DCs with
//     LdapEnforceChannelBinding=2 check), with no SASL security layer: TLS
//     protects the messages, and Active Directory refuses a SASL layer
//     inside TLS. Samba refuses this by default ("ldap server require
//     strong auth = yes"), and the error says so;
//   - over plain ldap:// (port 389, 3268 for the Global Catalog) with the
//     SASL confidentiality layer: every message signed and sealed by the
//     Kerberos context (RFC 4121 wrap tokens), as Windows' own tools talk
//     to a DC. No certificate is needed, and DCs that require LDAP signing
//     accept it. The layer is required: a DC that will not seal fails the
//     bind.
//
// On Windows, auth "negotiate" binds the same way inside TLS with the
// Kerberos credentials of the user rectify runs as (SSPI, through go-ldap's
// SSPI client, with channel binding); elsewhere it is refused.
//
// Filters are never text supplied by callers: they are actions.Filter values
// rendered by RenderFilter, which escapes every value with ldap.EscapeFilter
// and accepts only well-formed attribute names. DNs built from input go
// through ldap.EscapeDN.
//
// A server cannot make the client hold more than the Config's bounds
// allow: every byte it sends passes a framer before the BER decoder sees
// it, which refuses a message over MaxMessageBytes or an answer over
// MaxResponseBytes at the header that announces it, an answer with more
// entries than its page asked for, elements that overrun the one around
// them, indefinite lengths and deep nesting; Search and SearchPages bound a
// whole search by MaxResultBytes and MaxEntries. Each refusal is a
// permanent protocol error wrapping a *LimitError or *MalformedError, and
// closes the connection. Every operation is bounded by the configured
// timeout and by its context, which interrupt a blocked read by moving
// the socket's deadline; a panic while an operation handles an answer
// fails that operation with a *PanicError.
//
// Every failure is an *actions.TransportError whose Kind comes from the
// error's type or the server's result code, never from matching message
// text. The SPN uniqueness refusal is recognised from the Win32 error code
// that AD (000021C7) and Samba (0000202F) put at the start of the
// diagnostic message.
//
// The package also holds the SPN helpers of KB 979174 (KBSPNs, Holders,
// DuplicateScan, FindComputer), written against actions.Directory so that
// actions and the lab can use them with any Directory.
package ldap
