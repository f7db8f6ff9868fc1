winrm {
  port                 = 70000 # ERROR: Invalid port
  https                = "maybe" # ERROR: Incorrect attribute value type
  auth                 = "kerberos" # ERROR: Invalid auth
  timeout              = "soon" # ERROR: Invalid timeout
  ca_file              = "../pki/missing.pem" # ERROR: Unusable ca_file
  insecure_skip_verify = true # WARNING: TLS verification disabled
}

group "http" {
  winrm {
    https = false
    auth  = "basic" # ERROR: Basic authentication cannot encrypt messages
  }
}

host "ex01" {
  fqdn   = "ex01.corp.example.com"
  groups = ["http"]
  winrm {
    port    = 1.5 # ERROR: Invalid port
    ca_file = "../pki/request.pem" # ERROR: Unusable ca_file
    timeout = "0s" # ERROR: Invalid timeout
  }
}

host "ex02" {
  fqdn   = "ex02.corp.example.com"
  groups = ["http"]
  winrm {
    ca_file  = "../pki/garbage.txt" # ERROR: Unusable ca_file
    password = "written-here" # WARNING: Password written in the inventory
    username = env("RECTIFY_NOT_SET") # ERROR: Invalid function argument
  }
}

host "ex03" {
  fqdn = "ex03.corp.example.com"
  winrm {
    port    = 1e400 # ERROR: Invalid port
    timeout = "1e999h" # ERROR: Invalid timeout
    auth    = null
  }
}

group "plain" {
  winrm {
    https      = false
    encryption = "never" # ERROR: Unencrypted WinRM over HTTP
  }
}

group "plain_allowed" {
  winrm {
    https             = false
    encryption        = "never"
    allow_unencrypted = true # WARNING: Unencrypted WinRM allowed
    auth              = "basic"
  }
}

group "tls_and_seal" {
  winrm {
    auth       = "basic"
    encryption = "always" # ERROR: Basic authentication cannot encrypt messages
  }
}

host "ex04" {
  fqdn   = "ex04.corp.example.com"
  groups = ["plain"]
  winrm {
    encryption        = "sometimes" # ERROR: Invalid encryption
    allow_unencrypted = "yes please" # ERROR: Incorrect attribute value type
  }
}

host "ex05" {
  fqdn   = "ex05.corp.example.com"
  groups = ["plain_allowed"]
}

host "ex06" {
  fqdn   = "ex06.corp.example.com"
  groups = ["tls_and_seal"]
}
