package inventory

import (
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/internal/secret"
)

// kerberosBlock is the Kerberos attributes of one winrm block as written:
// nil fields were not set.
type kerberosBlock struct {
	Realm, Krb5Conf, Keytab, CredentialCache, SPN *string
	Delegate                                      *bool
	KDCs                                          []string
	kdcsSet                                       bool
	// Ranges for problems of the merged result.
	KDCsRange, Krb5ConfRange, KeytabRange, CacheRange hcl.Range
}

// kerberos decodes the Kerberos attributes of a winrm or ldap block into
// k.
func (d *decoder) kerberos(k *kerberosBlock, a hcl.Attributes) {
	if s, ok := d.str(a["realm"]); ok {
		k.Realm = &s
	}
	if items, ok := d.stringList(a["kdcs"]); ok {
		k.kdcsSet, k.KDCsRange = true, a["kdcs"].Expr.Range()
		k.KDCs = nil
		for _, it := range items {
			if it.Value == "" {
				d.errorf(it.Range, "Invalid KDC", "A KDC is a host name or address, with :port when it is not 88.")
				continue
			}
			k.KDCs = append(k.KDCs, it.Value)
		}
	}
	if p, ok := d.localFile(a["krb5_conf"], "krb5_conf"); ok {
		k.Krb5Conf, k.Krb5ConfRange = &p, a["krb5_conf"].Expr.Range()
	}
	if p, ok := d.localFile(a["keytab"], "keytab"); ok {
		k.Keytab, k.KeytabRange = &p, a["keytab"].Expr.Range()
	}
	if s, ok := d.str(a["credential_cache"]); ok {
		k.CredentialCache, k.CacheRange = &s, a["credential_cache"].Expr.Range()
	}
	if s, ok := d.str(a["spn"]); ok {
		k.SPN = &s
	}
	if v, ok := d.boolean(a["delegate"]); ok {
		k.Delegate = &v
		if v {
			d.warnf(a["delegate"].Expr.Range(), "Credentials delegated",
				"With delegate, every host this applies to receives a TGT of the WinRM account and can act as it anywhere in the domain until it expires.")
		}
	}
}

// localFile decodes a path attribute: resolved against the inventory's
// directory, and the file must exist (it is read when a ticket is needed).
func (d *decoder) localFile(attr *hcl.Attribute, what string) (string, bool) {
	p, ok := d.str(attr)
	if !ok {
		return "", false
	}
	if p == "" {
		d.errorf(attr.Expr.Range(), "Invalid "+what, "%s must name a file.", what)
		return "", false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.dir, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		d.errorf(attr.Expr.Range(), "Unusable "+what, "%s names no readable file.", what)
		return "", false
	}
	return p, true
}

// over returns k with every field set in o replacing k's.
func (k kerberosBlock) over(o kerberosBlock) kerberosBlock {
	if o.Realm != nil {
		k.Realm = o.Realm
	}
	if o.kdcsSet {
		k.KDCs, k.kdcsSet, k.KDCsRange = o.KDCs, true, o.KDCsRange
	}
	if o.Krb5Conf != nil {
		k.Krb5Conf, k.Krb5ConfRange = o.Krb5Conf, o.Krb5ConfRange
	}
	if o.Keytab != nil {
		k.Keytab, k.KeytabRange = o.Keytab, o.KeytabRange
	}
	if o.CredentialCache != nil {
		k.CredentialCache, k.CacheRange = o.CredentialCache, o.CacheRange
	}
	if o.SPN != nil {
		k.SPN = o.SPN
	}
	if o.Delegate != nil {
		k.Delegate = o.Delegate
	}
	return k
}

func (k kerberosBlock) settings() KerberosSettings {
	var s KerberosSettings
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	s.Realm, s.Krb5Conf, s.Keytab, s.CredentialCache, s.SPN = deref(k.Realm), deref(k.Krb5Conf), deref(k.Keytab), deref(k.CredentialCache), deref(k.SPN)
	s.KDCs = append([]string(nil), k.KDCs...)
	s.Delegate = k.Delegate != nil && *k.Delegate
	return s
}

// check reports Kerberos settings that cannot get a ticket: no credential
// at all, two sources at once, KDCs without their realm, no principal to
// ask tickets for. auth is where auth was set (or the block that decided
// it).
func (k kerberosBlock) check(d *decoder, ks KerberosSettings, user string, password secret.Value, auth hcl.Range) {
	switch {
	case ks.Keytab != "" && ks.CredentialCache != "":
		d.errorf(k.CacheRange, "Two Kerberos credentials",
			"keytab and credential_cache both say where tickets come from; keep one.")
	case ks.Keytab == "" && ks.CredentialCache == "" && password.Reveal() == "":
		d.errorf(auth, "No Kerberos credential",
			"Kerberos needs a password, a keytab, or a credential_cache (such as env(\"KRB5CCNAME\") after kinit).")
	case ks.CredentialCache == "" && user == "":
		d.errorf(auth, "No Kerberos principal",
			"Kerberos with a password or a keytab needs the user to ask tickets for (such as \"svc-rectify@CORP.EXAMPLE.COM\"); only a credential_cache names its own.")
	}
	switch {
	case len(ks.KDCs) > 0 && ks.Krb5Conf != "":
		d.errorf(k.KDCsRange, "KDCs and krb5_conf", "kdcs and krb5_conf both say where the KDCs are; keep one.")
	case len(ks.KDCs) > 0 && ks.Realm == "":
		d.errorf(k.KDCsRange, "KDCs without a realm", "Set realm (such as \"CORP.EXAMPLE.COM\") for the KDCs listed.")
	}
}
