playbook "p" {}

locals {
  a = local.b # ERROR: Cycle in local values
  b = "${local.a}x"
  c = local.a
}

step "ad.spn" "smtp" {
  targets  = group.exchange
  services = [local.c]
}
