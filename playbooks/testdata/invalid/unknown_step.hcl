playbook "p" {}

step "ad.spn" "smtp" {
  targets = group.exchange
}

step "ad.replication" "push" {
  targets      = group.dc
  depends_on   = [step.smpt] # ERROR: Reference to undeclared step
  triggered_by = [step.spn]  # ERROR: Reference to undeclared step
  partitions   = [step.nope.name] # ERROR: Reference to undeclared step
}
