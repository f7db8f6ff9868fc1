winrm {
  port                 = 70000 # ERROR: Invalid port
  https                = "maybe" # ERROR: Incorrect attribute value type
  auth                 = "digest" # ERROR: Invalid auth
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

group "krb_two_sources" {
  winrm {
    auth             = "kerberos"
    keytab           = "../pki/ca.pem"
    credential_cache = "FILE:/tmp/krb5cc_0" # ERROR: Two Kerberos credentials
  }
}

group "krb_kdcs" {
  winrm {
    auth     = "kerberos" # ERROR: No Kerberos principal
    password = env("RECTIFY_WINRM_PASSWORD")
    kdcs = [ # ERROR: KDCs without a realm
      "dc01.corp.example.com",
      "", # ERROR: Invalid KDC
    ]
    keytab   = "../pki/no-such.keytab" # ERROR: Unusable keytab
  }
}

host "ex07" {
  fqdn   = "ex07.corp.example.com"
  groups = ["krb_two_sources"]
}

host "ex08" {
  fqdn   = "ex08.corp.example.com"
  groups = ["krb_kdcs"]
}

host "ex09" {
  fqdn = "ex09.corp.example.com"
  winrm {
    auth     = "kerberos" # ERROR: No Kerberos credential
    delegate = true # WARNING: Credentials delegated
  }
}

host "ex10" {
  fqdn = "ex10.corp.example.com"
  winrm {
    auth     = "negotiate" # ERROR: auth "negotiate" needs Windows
    username = "CORP\\svc-rectify" # ERROR: Credential with negotiate
    keytab   = "../pki/ca.pem" # ERROR: Kerberos source with negotiate
  }
}
