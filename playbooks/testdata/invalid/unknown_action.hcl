playbook "p" {}

step "ad.spnn" "smtp" { # ERROR: Unknown action
  targets  = group.exchange
  anything = true
}
