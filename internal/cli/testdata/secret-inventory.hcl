winrm {
  username = "CORP\\svc-rectify"
  password = env("RECTIFY_TEST_SECRET")
}

domain "corp.example.com" {
  ldap {
    url      = "ldaps://dc01.corp.example.com"
    password = env("RECTIFY_TEST_SECRET")
  }
}

host "ex01" {
  fqdn   = "ex01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["exchange"]
}

host "dc01" {
  fqdn   = "dc01.corp.example.com"
  groups = ["dc"]
}
