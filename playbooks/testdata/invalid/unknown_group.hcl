playbook "p" {}

step "ad.spn" "smtp" {
  targets = group.exchnge # ERROR: Unknown group
}

step "windows.time_skew" "clocks" {
  targets = group["exchange"]
  against = group["dcs"] # ERROR: Unknown group
}
