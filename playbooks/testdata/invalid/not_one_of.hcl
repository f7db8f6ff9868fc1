playbook "p" {}

step "ad.spn" "smtp" {
  targets           = group.exchange
  resolve_conflicts = "delete_everything" # ERROR: Invalid value for attribute
}
