# An inventory whose dc group has no hosts: steps that target group.dc
# select nothing.
host "ex01" {
  fqdn   = "ex01.corp.example.com"
  site   = "HQ"
  groups = ["exchange"]
}

group "dc" {}
