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
