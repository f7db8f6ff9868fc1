# Clocks that a resync from the domain would not fix, because something
# else sets them. Each Exchange server is minutes off:
#
#   ex01 is a Hyper-V guest whose VM IC time provider takes the time from
#        the Hyper-V host, which runs 6 minutes fast;
#   ex02 gets its NTP source from a Group Policy ("Configure Windows NTP
#        Client") that names ntp.branch.example, 5 minutes slow;
#   ex03 is a VMware guest whose VMware Tools set the clock from the ESXi
#        host, 5 minutes fast.
#
# w32tm /config /syncfromflags:domhier writes W32Time's own settings, which
# the policy overrides, and the hypervisors set the clock back after any
# resync: rectify reports each as blocked with what to change, instead of
# resyncing again every cycle.
scenario "clocks-held" {
  domain          = "corp.example.com"
  netbios         = "CORP"
  queued_messages = 2
}

host "dc01" {
  role = "dc"
  site = "HQ"
  pdc  = true
}

host "ex01" {
  role                    = "exchange"
  site                    = "HQ"
  dc                      = "dc01"
  clock_offset            = "6m"
  hypervisor              = "hyper-v"
  hypervisor_time_sync    = true
  hypervisor_clock_offset = "6m"
  peers                   = ["ex02"]
}

host "ex02" {
  role                   = "exchange"
  site                   = "HQ"
  dc                     = "dc01"
  clock_offset           = "-5m"
  time_policy_type       = "NTP"
  time_policy_ntp_server = "ntp.branch.example,0x8"
  peers                  = ["ex01"]
}

host "ex03" {
  role                    = "exchange"
  site                    = "HQ"
  dc                      = "dc01"
  clock_offset            = "5m"
  hypervisor              = "vmware"
  hypervisor_time_sync    = true
  hypervisor_clock_offset = "5m"
}
