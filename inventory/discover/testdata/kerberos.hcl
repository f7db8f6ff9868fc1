# Discovered from Active Directory by rectify inventory discover.

winrm {
  # HTTP, every message encrypted by the logon's session: what a Windows server accepts
  # out of the box (AllowUnencrypted = false). Hosts with certificates can use https = true.
  https      = false
  port       = 5985
  encryption = "auto"
  auth       = "kerberos"
  realm      = "CORP.EXAMPLE.COM"
  kdcs       = ["ex01.corp.example.com"]
  # After kinit, credential_cache = env("KRB5CCNAME") can replace username and password;
  # Exchange's steps then need delegate = true (each host receives a TGT of the account).
  username = env("RECTIFY_WINRM_USER")
  password = env("RECTIFY_WINRM_PASSWORD")
}

domain "corp.example.com" {
  ldap {
    url = "ldaps://dc01.corp.example.com"
  }
}

domain "emea.corp.example.com" {
}

host "ex01" {
  fqdn   = "ex01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["exchange", "dc"]
}

host "ex02" {
  fqdn    = "ex02.corp.example.com"
  address = "10.0.0.6"
  domain  = "corp.example.com"
  site    = "Branch Office"
  groups  = ["exchange"]
  vars = {
    directory_name = "Exchange \"Two\"\n"
  }
}

host "dc09" {
  fqdn   = "dc09.emea.corp.example.com"
  domain = "emea.corp.example.com"
  groups = ["dc"]
}

