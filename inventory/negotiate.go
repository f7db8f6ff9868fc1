package inventory

import "github.com/hashicorp/hcl/v2"

// checkNegotiate reports a negotiate logon that cannot work: there is no
// SSPI where rectify runs, or a credential or a source of tickets is
// given, where negotiate logs on as the Windows user rectify runs as and
// SSPI gets that user's tickets. spn and delegate still apply. auth is
// where auth was set (or the block that decided it).
func (w winrmBlock) checkNegotiate(d *decoder, s WinRMSettings, auth hcl.Range) {
	if !sspiAvailable {
		d.errorf(auth, `auth "negotiate" needs Windows`,
			"negotiate logs on with the credentials of the Windows user rectify runs as (SSPI), and this rectify does not run on Windows. "+
				`Use auth = "kerberos" with credential_cache = env("KRB5CCNAME") after kinit, or a password or keytab; or auth = "ntlm".`)
	}
	at := func(r hcl.Range) hcl.Range {
		if r.Filename != "" {
			return r
		}
		return auth
	}
	if s.Username != "" {
		d.errorf(at(w.UsernameRange), "Credential with negotiate",
			`negotiate logs on as the Windows user rectify runs as; remove username, or use auth = "ntlm" or "kerberos".`)
	}
	if s.Password.IsSet() {
		d.errorf(at(w.PasswordRange), "Credential with negotiate",
			`negotiate logs on as the Windows user rectify runs as; remove password, or use auth = "ntlm" or "kerberos".`)
	}
	k := w.krb
	for _, src := range []struct {
		set bool
		rng hcl.Range
	}{
		{len(s.Kerberos.KDCs) > 0, k.KDCsRange}, {s.Kerberos.Krb5Conf != "", k.Krb5ConfRange},
		{s.Kerberos.Keytab != "", k.KeytabRange}, {s.Kerberos.CredentialCache != "", k.CacheRange},
	} {
		if src.set {
			d.errorf(at(src.rng), "Kerberos source with negotiate",
				"SSPI gets the logged-on user's tickets itself; this applies to auth = \"kerberos\" only.")
		}
	}
}
