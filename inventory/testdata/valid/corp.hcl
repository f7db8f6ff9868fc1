# The inventory of a small Exchange organisation.
winrm {
  auth     = "ntlm"
  username = env("RECTIFY_WINRM_USER")
  password = env("RECTIFY_WINRM_PASSWORD")
  ca_file  = "../pki/ca.pem"
}

domain "Corp.Example.com" {
  ldap {
    url       = "ldaps://dc01.corp.example.com:636"
    bind_user = "svc-rectify@corp.example.com"
    password  = chomp(file("ldap-password.txt"))
    ca_file   = "../pki/ca.pem"
    timeout   = "10s"
  }
}

domain "lab.example.net" {
  ldap {
    url       = "ldap://dc01.lab.example.net"
    start_tls = true
    base_dn   = "DC=lab,DC=example,DC=net"
    password  = env("RECTIFY_LAB_PASSWORD")
  }
}

domain "branch.example.com" {}

group "dc" {
  hosts = ["dc01", "dc02"]
  vars  = { role = "dc", tier = 0 }
  winrm {
    port    = 15986
    timeout = duration("2m")
  }
}

host "ex01" {
  fqdn   = "ex01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["exchange", "hq"]
  vars   = { role = "mailbox" }
}

host "ex02" {
  fqdn    = "ex02.corp.example.com"
  address = "192.0.2.12"
  domain  = "corp.example.com"
  site    = "Branch"
  groups  = ["exchange"]
  winrm {
    https = false
  }
}

host "dc01" {
  fqdn   = "dc01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["hq"]
  vars   = { tier = "zero" }
}

host "dc02" {
  fqdn   = "dc02.corp.example.com"
  domain = "corp.example.com"
  site   = "Branch"
  winrm {
    auth     = "basic"
    username = "CORP\\rectify"
    password = env("RECTIFY_DC02_PASSWORD")
  }
}

group "exchange" {
  vars = { role = "exchange" }
}
