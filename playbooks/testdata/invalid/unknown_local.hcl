playbook "p" {}

locals {
  sites = ["HQ"]
}

step "ad.spn" "smtp" {
  targets = [for h in group.exchange : h if contains(local.site, h.site)] # ERROR: Reference to undeclared local value
}
