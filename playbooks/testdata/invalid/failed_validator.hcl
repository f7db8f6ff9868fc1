playbook "p" {}

step "windows.registry_value" "log" {
  targets = group.exchange
  path    = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"
  name    = "LogLevel"
  type    = "dword"
  value   = "one" # ERROR: value must be a number for a dword
}
