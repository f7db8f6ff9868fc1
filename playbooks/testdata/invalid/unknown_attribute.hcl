playbook "p" {}

step "ad.spn" "smtp" {
  targets  = group.exchange
  servicez = ["SMTP"] # ERROR: Unsupported argument
}
