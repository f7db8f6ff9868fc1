playbook "p" {}

step "ad.spn" "smtp" {
  targets = group.exchange
}

step "ad.replication" "push" {
  targets    = group.dc
  depends_on = ["smtp", var.x] # ERROR: Invalid step reference # ERROR: Invalid step reference
}
