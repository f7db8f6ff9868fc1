playbook "p" {}

step "windows.registry_value" "log" { # ERROR: Missing required argument
  targets = group.exchange
  name    = "LogLevel"
  type    = "dword"
  value   = 1
}
