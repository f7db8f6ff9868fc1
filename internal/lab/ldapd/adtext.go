package ldapd

// Diagnostic texts of an Active Directory DC (Windows Server 2016 and
// later report v4563); clients recognise them by the leading number.
const (
	// errDecoding answers a request that does not decode.
	errDecoding = "00000057: LdapErr: DSID-0C090CE8, comment: Error decoding ldap message, data 0, v4563"
	// errBindRequired answers an anonymous operation other than reading
	// the root DSE.
	errBindRequired = "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563"
	// errInvalidCredentials answers a wrong password or unknown account
	// (data 52e).
	errInvalidCredentials = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"
	// errAccountLockedOut answers a bind of a locked-out account (data
	// 775, ERROR_ACCOUNT_LOCKED_OUT of [MS-ERREF] 2.2), in the layout of
	// errInvalidCredentials.
	errAccountLockedOut = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563"
	// errIntegrityRequired answers a simple bind on an unprotected
	// connection when the DC requires LDAP signing.
	errIntegrityRequired = "00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v4563"
	// errTLSActive answers StartTLS on a connection that already has TLS.
	errTLSActive = "00000000: LdapErr: DSID-0C091221, comment: TLS or SSL already in effect, data 0, v4563"
	// errTLSUnavailable answers StartTLS on a DC without a certificate.
	errTLSUnavailable = "00000000: LdapErr: DSID-0C091156, comment: Error initializing SSL/TLS, data 0, v4563"
	// errUnknownExtended answers an extended operation AD does not know.
	errUnknownExtended = "0000203D: LdapErr: DSID-0C0C0E3B, comment: Unknown extended request OID, data 0, v4563"
	// errUnsupportedControl answers a critical control the DC cannot
	// honour.
	errUnsupportedControl = "000020EF: LdapErr: DSID-0C090A3E, comment: The server does not support a requested critical extension., data 0, v4563"
	// errBadPagingCookie answers a paged search with an unknown cookie or
	// with arguments that changed between pages.
	errBadPagingCookie = "00000057: LdapErr: DSID-0C090A71, comment: Error processing control, data 0, v4563"
	// errUnwilling answers operations the lab's DC does not implement.
	errUnwilling = "00002035: LdapErr: DSID-0C090D09, comment: Operation not supported, data 0, v4563"
	// errAuthMethod answers a SASL bind: the lab offers simple binds only.
	errAuthMethod = "00002027: LdapErr: DSID-0C090A5A, comment: The server does not support the requested authentication mechanism, data 0, v4563"
	// errAccessDenied answers a write by an account without rights.
	errAccessDenied = "00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0\n"
)

func unwillingToPerform() result { return result{code: 53, message: errUnwilling} }
