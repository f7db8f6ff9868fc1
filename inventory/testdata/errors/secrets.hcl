winrm {
  password = [env("RECTIFY_WINRM_PASSWORD")] # ERROR: Incorrect attribute value type
}

host "ex01" {
  fqdn = "ex01.corp.example.com"
  vars = { pw = env("RECTIFY_WINRM_PASSWORD") } # ERROR: Secret in vars
}

host "ex02" {
  fqdn = "ex02.corp.example.com"
  vars = { (env("RECTIFY_WINRM_PASSWORD")) = "key" } # ERROR: Secret in vars
}

group "g" {
  hosts = [env("RECTIFY_WINRM_PASSWORD")] # ERROR: Secret in host facts
}
