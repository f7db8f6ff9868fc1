playbook "registry" {
  title = "One registry value"
}

step "windows.registry_value" "tls12" {
  targets = ["ex01", host.ex02, group.exchange] # duplicates collapse
  path    = "HKLM:\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"
  name    = "SchUseStrongCrypto"
  type    = "dword"
  value   = 1
}

step "ad.spn" "everyone" {
  targets = [for h in host : h if contains(h.groups, "exchange")]
}

step "ad.replication" "all_dcs" {
  targets = { for name, h in host : name => h if contains(h.groups, "dc") }
}
