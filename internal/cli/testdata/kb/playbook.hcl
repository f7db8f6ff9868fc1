# A small playbook owned by the command-line tests, so that their expected
# output changes only when the command line does.
playbook "kb" {
  title = "Three steps over three target groups"
}

step "windows.time_skew" "clocks" {
  targets = group.exchange
  against = group.dc
}

step "ad.spn" "smtp" {
  targets    = group.exchange
  depends_on = [step.clocks]
}

step "ad.replication" "push" {
  targets      = group.dc
  triggered_by = [step.smtp]
}

step "ad.spn" "hq_only" {
  targets = [for h in group.exchange : h if h.site == "HQ"]
}
