# Null is "not set": allowed for optional attributes, an error for
# required ones.
domain "h.example.com" {
  ldap {
    url = null # ERROR: Missing url
  }
}

host "ex04" {
  fqdn   = null # ERROR: Missing fqdn
  groups = null
  vars   = null
  site   = null
}
