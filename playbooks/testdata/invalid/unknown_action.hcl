playbook "p" {}

step "ad.spnn" "smtp" { # ERROR: Unknown action
  targets  = group.exchnge # ERROR: Unknown group
  anything = upper(true, 1) # ERROR: Too many function arguments
}
