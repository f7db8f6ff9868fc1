playbook "p" {}

stepp "ad.spn" "smtp" { # ERROR: Unsupported block type
  targets = group.exchange
}

step "ad.spn" "spn" {
  targets = group.exchange
  retry { # ERROR: Unexpected "retry" block
  }
}
