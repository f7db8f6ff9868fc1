playbook "p" {}

step "ad.replication" "push" {
  targets    = group.dc
  depends_on = [step.push] # ERROR: Self-referential step
}
