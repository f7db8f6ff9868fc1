# Clocks off in opposite directions. Somebody pointed each Exchange
# server's Windows Time service at an NTP server outside the domain by
# hand: ex01 follows ntp1.example.net, which runs 3m30s fast, and ex02
# follows ntp2.example.net, 3m30s slow. Each server is within 4 minutes of
# its domain controller, so comparing each with its DC finds nothing, but
# they are 7 minutes apart: each refuses the other's Kerberos
# authenticator (KRB_AP_ERR_SKEW, over the 5-minute SkewTime), and mail
# between them waits in the queues with 454 4.7.0. Nothing else is wrong.
#
# Resyncing both from the domain hierarchy fixes it; undo puts each
# server's manual NTP source back.
scenario "clocks-opposite" {
  domain          = "corp.example.com"
  netbios         = "CORP"
  queued_messages = 3
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
  dc           = "dc01"
  clock_offset = "3m30s"
  ntp_server   = "ntp1.example.net,0x8"
  peers        = ["ex02"]
}

host "ex02" {
  role         = "exchange"
  site         = "HQ"
  dc           = "dc02"
  clock_offset = "-3m30s"
  ntp_server   = "ntp2.example.net,0x8"
  peers        = ["ex01"]
}
