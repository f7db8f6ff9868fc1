playbook "p" {}

variable "max_skew" { # ERROR: No value for required variable
  type = string
}

step "windows.time_skew" "clocks" {
  targets  = group.exchange
  against  = group.dc
  max_skew = var.max_skew
}
