playbook "p" {}

locals {
  site = "HQ"
}

locals {
  site = "Branch" # ERROR: Duplicate local value definition
}
