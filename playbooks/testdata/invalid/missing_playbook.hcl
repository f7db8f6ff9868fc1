# ERROR: Missing playbook block
step "ad.spn" "smtp" {
  targets = group.exchange
}
