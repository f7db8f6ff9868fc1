playbook "p" {}

step "ad.spn" "smtp" {
  targets = [host.ex01, host.ex99] # ERROR: Unknown host
}

step "ad.replication" "push" {
  targets = ["dc01", "dc99"] # ERROR: Invalid host selection
}
