package ldap

import "errors"

// errNoSSPI refuses AuthNegotiate where there is no SSPI.
var errNoSSPI = errors.New(`auth "negotiate" binds with the Kerberos credentials of the Windows user rectify runs as (SSPI), and rectify is not running on Windows: use auth "kerberos" with a credential cache (kinit, then KRB5CCNAME)`)
