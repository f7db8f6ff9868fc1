step "ad.spnn" "smtp" { # ERROR: Unknown action
  targets = group.exchange
}

step "windows.time_skew" "clocks" {
  targets  = group.exchnge # ERROR: Unknown group
  against  = group.dc
  max_skew = var.max_skw # ERROR: Reference to undeclared input variable
  resync   = "sometimes" # ERROR: Incorrect attribute value type
  colour   = "blue" # ERROR: Unsupported argument
}

step "ad.replication" "push" {
  targets    = host.dc03 # ERROR: Unknown host
  depends_on = [step.ports] # ERROR: Cycle in step dependencies
}

step "net.kerberos_ports" "ports" { # ERROR: Missing required argument
  targets    = group.exchange
  depends_on = [step.push]
  timeout    = "soon" # ERROR: Invalid value for attribute
}

step "ad.spn" "clocks" { # ERROR: Duplicate step
  targets = group.exchange
}
