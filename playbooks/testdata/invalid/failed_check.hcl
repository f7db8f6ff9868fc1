playbook "p" {}

step "windows.time_skew" "clocks" {
  targets  = group.exchange
  against  = group.dc
  max_skew = "a little" # ERROR: Invalid value for attribute
}

step "ad.replication" "push" {
  targets = group.dc
  retries = 1.5 # ERROR: Invalid value for attribute
}
