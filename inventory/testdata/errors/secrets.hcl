winrm {
  password = [env("RECTIFY_WINRM_PASSWORD")] # ERROR: Incorrect attribute value type
}

host "ex01" {
  fqdn = "ex01.corp.example.com"
  vars = { pw = env("RECTIFY_WINRM_PASSWORD") } # ERROR: Secret in vars
}
