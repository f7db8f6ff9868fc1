playbook "p" {}

step "ad.spn" "smtp" {
  targets  = group.exchange
  services = [each.value] # ERROR: Unknown reference
}
