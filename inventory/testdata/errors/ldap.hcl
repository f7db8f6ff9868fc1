domain "a.example.com" {
  ldap {
    url = "https://dc01.a.example.com" # ERROR: Invalid LDAP URL
  }
}

domain "b.example.com" {
  ldap {
    url       = "ldaps://dc01.b.example.com"
    start_tls = true # ERROR: start_tls with ldaps
  }
}

domain "c.example.com" {
  ldap {
    url = "ldap://dc01.c.example.com" # ERROR: LDAP without TLS
  }
}

domain "d.example.com" {
  ldap {
    url       = "ldap://dc01.d.example.com"
    start_tls = false # ERROR: LDAP without TLS
    base_dn   = "not a dn" # ERROR: Invalid base_dn
  }
}

domain "e.example.com" {
  ldap {
    url = "ldaps://dc01.e.example.com/DC=e,DC=example,DC=com" # ERROR: Invalid LDAP URL
  }
  ldap { # ERROR: Duplicate ldap block
    url = "ldaps://dc02.e.example.com"
  }
}

domain "f.example.com" {
  ldap { # ERROR: Missing required argument
    bind_user = "rectify@f.example.com"
    timeout   = 30 # ERROR: Invalid timeout
  }
}

domain "g.example.com" {
  ldap {
    url = "ldaps://user:pw@dc01.g.example.com" # ERROR: Invalid LDAP URL
  }
}

domain "h.example.com" {
  ldap {
    url  = "ldap://dc01.h.example.com"
    auth = "kerberos" # ERROR: No Kerberos credential
  }
}

domain "i.example.com" {
  ldap {
    url    = "ldaps://dc01.i.example.com"
    auth   = "ntlmv2" # ERROR: Invalid auth
    keytab = "../pki/ca.pem" # ERROR: Kerberos setting without Kerberos
  }
}

domain "j.example.com" {
  ldap {
    url       = "ldap://dc01.j.example.com" # ERROR: LDAP without TLS
    auth      = "negotiate" # ERROR: auth "negotiate" needs Windows
    bind_user = "svc@j.example.com" # ERROR: Credential with negotiate
  }
}

domain "k.example.com" {
  ldap {
    url              = "ldap://dc01.k.example.com"
    auth             = "kerberos" # ERROR: No Kerberos principal
    password         = env("RECTIFY_LAB_PASSWORD")
    spn              = "ldap/dc01.k.example.com"
  }
}
