winrm {
  password = "literal-password"
}

domain "corp.example.com" {
  ldap {
    url                  = "ldaps://dc01.corp.example.com"
    insecure_skip_verify = true
    password             = sensitive("also-literal")
  }
}

host "ex01" {
  fqdn = "ex01.corp.example.com"
}
