# Problems with the shape of the file: all of them are reported at once.
winrm {
  port  = 5986
  proxy = "http://proxy" # ERROR: Unsupported argument
}

winrm { # ERROR: Duplicate winrm block
  https = true
}

inventory_version = 2 # ERROR: Unsupported argument

domain "corp.example.com" {}
domain "CORP.example.com" {} # ERROR: Duplicate domain
domain "not a domain" {} # ERROR: Invalid domain name
domain "single" {} # ERROR: Invalid domain name

host "ex01" {
  fqdn = "ex01.corp.example.com"
  ssh {} # ERROR: Unsupported block type
}

host "ex01" { # ERROR: Duplicate host
  fqdn = "ex01b.corp.example.com"
}

host "ex 03" { # ERROR: Invalid host name
  fqdn = "ex03.corp.example.com"
}

host "ex04" {
  fqdn = "EX01.corp.example.com" # ERROR: Duplicate fqdn
}

host "ex05" {
  fqdn = "ex05.corp.example.com"
  winrm {}
  winrm {} # ERROR: Duplicate winrm block
}

group "exchange" {
  hosts = ["ex01"]
}

group "exchange" { # ERROR: Duplicate group
  hosts = ["ex05"]
}

group "3rd-floor" { # ERROR: Invalid group name
}

site "HQ" {} # ERROR: Unsupported block type
