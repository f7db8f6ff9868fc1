# A two-site forest, HQ and Branch, with one Exchange server and one DC in
# each site. The Branch server ex02 has an anonymous relay connector for
# the site's printers and scanners (192.0.2.0/24); whoever created it also
# listed the HQ Exchange server, on the Transport service's port 2525. The
# relay connector's range holds ex01's address more narrowly than Default
# EX02's 0.0.0.0-255.255.255.255, so Exchange hands it ex01's connections,
# and it offers no Exchange Server authentication: ex01's mail to ex02
# fails with 454 4.7.0 while Default EX02 is healthy. Nothing else is
# wrong.
scenario "two-site-relay" {
  domain          = "corp.example.com"
  netbios         = "CORP"
  queued_messages = 4
}

host "dc01" {
  role = "dc"
  site = "HQ"
  pdc  = true
}

host "dc02" {
  role = "dc"
  site = "Branch"
}

host "ex01" {
  role  = "exchange"
  site  = "HQ"
  dc    = "dc01"
  peers = ["ex02"]
}

host "ex02" {
  role  = "exchange"
  site  = "Branch"
  dc    = "dc02"
  peers = ["ex01"]
}

# remote_hosts adds the lab address of ex01, which is known only when the
# lab starts; on a real server the range would name it.
receive_connector "Relay EX02" {
  server            = "ex02"
  transport_role    = "HubTransport"
  bindings          = ["0.0.0.0:2525"]
  remote_ip_ranges  = ["192.0.2.0/24"]
  remote_hosts      = ["ex01"]
  auth_mechanism    = ["Tls"]
  permission_groups = ["AnonymousUsers"]
}
