# The hosts the playbooks package's own tests evaluate its fixtures
# against, as an inventory file: group spare has no hosts.
host "dc01" {
  fqdn   = "dc01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["dc"]
}
host "ex01" {
  fqdn   = "ex01.corp.example.com"
  domain = "corp.example.com"
  site   = "HQ"
  groups = ["exchange"]
}
host "dc02" {
  fqdn   = "dc02.corp.example.com"
  domain = "corp.example.com"
  site   = "Branch"
  groups = ["dc"]
}
host "ex02" {
  fqdn   = "ex02.corp.example.com"
  domain = "corp.example.com"
  site   = "Branch"
  groups = ["exchange"]
  vars   = { role = "edge" }
}
group "spare" {}
domain "corp.example.com" {}
