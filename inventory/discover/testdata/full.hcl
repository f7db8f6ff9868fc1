# Discovered from Active Directory by rectify inventory discover.

winrm {
  # HTTPS: every host needs a certificate from a CA that ca_file holds.
  https    = true
  port     = 5999
  auth     = "ntlm"
  username = env("WINRM_USER")
  password = env("WINRM_PASS")
  ca_file  = "/etc/pki/corp-ca.pem"
}

domain "corp.example.com" {
  ldap {
    url         = "ldap://dc01.corp.example.com"
    gc_url      = "ldap://dc01.corp.example.com:3268"
    start_tls   = true
    bind_user   = "CORP\\svc-rectify"
    password    = env("LDAP_PASS")
    ca_file     = "/etc/pki/corp-ca.pem"
    server_name = "dc01.corp.example.com"
  }
}

domain "emea.corp.example.com" {
}

host "ex01" {
  fqdn   = "ex01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["exchange", "dc", "site-hq"]
}

host "ex02" {
  fqdn    = "ex02.corp.example.com"
  address = "10.0.0.6"
  domain  = "corp.example.com"
  site    = "Branch Office"
  groups  = ["exchange", "site-branch-office"]
  vars = {
    directory_name = "Exchange \"Two\"\n"
  }
}

host "dc09" {
  fqdn   = "dc09.emea.corp.example.com"
  domain = "emea.corp.example.com"
  groups = ["dc"]
}

