host "ex01" {
  fqdn = "ex01.corp.example.com"
  groups = [
    "a"
    "b" # ERROR: Missing item separator
  ]
}
