playbook "p" {}

step "ad.spn" "smtp" {
  targets = 42 # ERROR: Invalid host selection
}

step "ad.spn" "nobody" {
  targets = [for h in group.exchange : h if h.site == "Nowhere"] # WARNING: No hosts selected
}

step "ad.spn" "spare" {
  targets = group.spare # WARNING: No hosts selected
}

step "ad.spn" "typo" {
  targets = [for h in group.exchange : h if h.sit == "HQ"] # ERROR: Unsupported attribute
}

step "windows.time_skew" "spare_dcs" {
  targets = group.exchange
  against = group.spare # WARNING: No hosts selected
}
