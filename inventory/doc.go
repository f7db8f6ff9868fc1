// Package inventory reads the hosts rectify works on, the groups they belong
// to, the Active Directory domains they live in and how to reach them, from
// an HCL file:
//
//	winrm {
//	  auth     = "ntlm"
//	  username = env("RECTIFY_WINRM_USER")
//	  password = env("RECTIFY_WINRM_PASSWORD")
//	  ca_file  = "pki/corp-ca.pem"
//	}
//	domain "corp.example.com" {
//	  ldap {
//	    url      = "ldaps://dc01.corp.example.com"
//	    password = file("ldap-password.txt")
//	  }
//	}
//	host "ex01" {
//	  fqdn   = "ex01.corp.example.com"
//	  domain = "corp.example.com"
//	  groups = ["exchange"]
//	}
//	group "dc" {
//	  hosts = ["dc01"]
//	}
//
// WinRM goes over HTTPS (port 5986) unless https = false; over HTTP (5985,
// what a default Windows server listens on) messages are encrypted with
// the NTLM session (encryption = "auto", the default; "always" also over
// HTTPS). Basic cannot encrypt; plain HTTP needs encryption = "never" and
// allow_unencrypted = true. auth = "kerberos" gets tickets for
// HTTP/<fqdn> (or spn) from the realm's KDCs (kdcs with realm, or
// krb5_conf, /etc/krb5.conf by default) with the password, a keytab, or a
// credential_cache such as env("KRB5CCNAME").
//
// An ldap block binds with bind_user and password inside TLS (ldaps://, or
// ldap:// with start_tls) by default (auth = "simple"). auth = "kerberos"
// binds with a ticket for the DC's ldap/<fqdn> from the same kinds of
// settings as WinRM's (realm, kdcs, krb5_conf, keytab, credential_cache,
// spn), either inside TLS or over plain ldap://, whose every message the
// Kerberos context then signs and seals. auth = "negotiate" binds inside
// TLS with the credentials of the Windows user rectify runs as (SSPI), and
// is refused where rectify does not run on Windows.
//
// Load decodes such a file and reports every problem in one pass as HCL
// diagnostics with the tightest source range. WinRM settings merge from the
// top-level defaults, then each group the host belongs to (in declaration
// order), then the host's own block.
//
// Credentials are held in secret.Value values, which never render: not
// through fmt, JSON, text encoding nor a logger. Only Reveal returns them,
// and only the transports call it. Select implements the -limit host selection.
package inventory
