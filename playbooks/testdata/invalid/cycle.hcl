playbook "p" {}

step "ad.spn" "a" {
  targets    = group.exchange
  depends_on = [step.b] # ERROR: Cycle in step dependencies
}

step "ad.spn" "b" {
  targets      = group.exchange
  triggered_by = [step.c]
}

step "ad.replication" "c" {
  targets    = group.dc
  partitions = [step.a.name]
}

step "ad.spn" "d" {
  targets    = group.exchange
  depends_on = [step.a]
}
