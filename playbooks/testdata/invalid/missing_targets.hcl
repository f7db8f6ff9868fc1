playbook "p" {}

step "ad.spn" "smtp" { # ERROR: Missing required argument
  services = ["SMTP"]
}
