# The HCL inventory corp.yml and corp.ini are written to be equal to.
winrm {
  auth     = "ntlm"
  username = env("RECTIFY_WINRM_USER")
  password = env("RECTIFY_WINRM_PASSWORD")
  ca_file  = "../pki/ca.pem"
}

domain "corp.example.com" {
  ldap {
    url       = "ldaps://dc01.corp.example.com:636"
    bind_user = "svc-rectify@corp.example.com"
    password  = env("RECTIFY_LDAP_PASSWORD")
    ca_file   = "../pki/ca.pem"
    timeout   = "10s"
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
  groups = ["hq", "dc"]
  winrm {
    port    = 15986
    timeout = "2m"
  }
}

host "dc02" {
  fqdn   = "dc02.corp.example.com"
  domain = "corp.example.com"
  site   = "Branch"
  groups = ["dc"]
  winrm {
    port     = 15986
    timeout  = "2m"
    auth     = "basic"
    username = "CORP\\rectify"
    password = env("RECTIFY_DC02_PASSWORD")
  }
}

group "servers" {
  hosts = ["ex01", "ex02", "dc01", "dc02"]
}
