playbook "p" {}

step "ad.replication" "push" {
  targets = group.dc
  retries = "many" # ERROR: Incorrect attribute value type
}

step "ad.spn" "smtp" {
  targets  = group.exchange
  services = { smtp = true } # ERROR: Incorrect attribute value type
}
