playbook "p" {}

step "ad.spn" "smtp" {
  targets = group.exchange
}

step "ad.spn" "smtp" { # ERROR: Duplicate step
  targets = group.exchange
}
