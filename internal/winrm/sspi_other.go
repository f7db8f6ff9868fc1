//go:build !windows

package winrm

// sspiAvailable says whether AuthNegotiate can log on here: only Windows
// has SSPI and a logged-on user's credentials.
const sspiAvailable = false

// newSSPIContext refuses: there is no SSPI outside Windows. Config's
// defaults refuse AuthNegotiate before a pool is made, so this is not
// reached.
func newSSPIContext(Config) (securityContext, error) { return nil, errNoSSPI }
