step "windows.time_skew" "clocks" { # KB step 1
  targets  = group.exchange
  against  = group.dc
  max_skew = var.max_skew
}

step "ad.spn" "smtp" { # KB step 3
  targets           = group.exchange
  services          = var.spn_services
  resolve_conflicts = "report"
  depends_on        = [step.clocks]
}

step "ad.replication" "push" { # KB step 2, after SPN changes
  targets      = group.dc
  triggered_by = [step.smtp]
  method       = "push"
  options      = "AdeP"
}

step "net.kerberos_ports" "ports" { # KB step 4
  targets = [for h in group.exchange : h if h.site == local.hub_site]
  against = group.dc
}

step "windows.registry_value" "kerberos_log" { # KB step 5
  description  = "Kerberos event logging while the fault is investigated."
  targets      = group.exchange
  path         = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"
  name         = "LogLevel"
  type         = "dword"
  value        = local.log_level
  expires      = "24h" # a diagnostic setting: reverted when due
  auto_correct = false
}

step "exchange.receive_connector_auth" "internal" { # KB step 6
  targets    = host.ex01
  identity   = "EX01\\Default EX01"
  depends_on = [step.clocks, step.ports]
}
