# The built-in kb979174 scenario, written as data.
scenario "kb979174" {
  domain          = "corp.example.com"
  netbios         = "CORP"
  queued_messages = 12
}

host "dc01" {
  role = "dc"
  site = "HQ"
  pdc  = true
}

host "dc02" {
  role = "dc"
  site = "HQ"
}

host "ex01" {
  role         = "exchange"
  site         = "HQ"
  dc           = "dc02"
  clock_offset = "7m"
  ntp_server   = "time.windows.com,0x9"
  missing_spns = ["SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"]
  peers        = ["ex02"]
}

host "ex02" {
  role                    = "exchange"
  site                    = "HQ"
  dc                      = "dc02"
  connector_missing_auth  = ["ExchangeServer"]
  kerberos_parameters_key = true
  peers                   = ["ex01"]
}

account "EX02-OLD" {
  spns     = ["SMTPSVC/ex02.corp.example.com"]
  disabled = true
}

block {
  from     = "ex02"
  to       = "dc02"
  port     = 88
  protocol = "tcp"
}

failing_link {
  destination = "dc02"
  source      = "dc01"
  status      = 1722
  failures    = 5
}

# ex02 was rebuilt: before, the KDC issued ex01 a ticket for
# SMTPSVC/ex02.corp.example.com encrypted for EX02-OLD$, and ex01's
# Transport service still holds it.
cached_ticket {
  host    = "ex01"
  spn     = "SMTPSVC/ex02.corp.example.com"
  account = "EX02-OLD"
}
