domain "corp.example.com" {}

host "ex01" {
  fqdn    = "ex01" # ERROR: Invalid fqdn
  address = "192.0.2.1:5986" # ERROR: Invalid address
  domain  = "corp.example.org" # ERROR: Unknown domain
  groups = [
    "exchange",
    "bad group", # ERROR: Invalid group name
    7,           # ERROR: Invalid group name
  ]
  vars    = { nested = { a = 1 } } # ERROR: Incorrect attribute value type
  site    = ["HQ"] # ERROR: Incorrect attribute value type
}

host "ex02" { # ERROR: Missing required argument
  address = "ex02.corp.example.com"
}

host "ex03" {
  fqdn   = "-bad-.corp.example.com" # ERROR: Invalid fqdn
  groups = "exchange" # ERROR: Incorrect attribute value type
}

group "exchange" {
  hosts = [
    "ex01",
    "ex09", # ERROR: Unknown host
    "ex02",
    "ex10", # ERROR: Unknown host
  ]
  vars = { role = upper(nope) } # ERROR: Variables not allowed
}
