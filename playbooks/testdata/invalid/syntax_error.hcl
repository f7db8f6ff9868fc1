playbook "p" {}

step "ad.spn" "smtp" { # ERROR: Unclosed configuration block
  targets = group.exchange
