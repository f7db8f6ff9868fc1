playbook "p" {}

variable "max_skew" {
  default = "4m"
}

step "windows.time_skew" "clocks" {
  targets  = group.exchange
  against  = group.dc
  max_skew = var.max_skwe # ERROR: Reference to undeclared input variable
}
