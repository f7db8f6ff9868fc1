playbook "p" {
  rollout {
    serial   = 0 # ERROR: Invalid serial
    max_fail = "150%" # ERROR: Invalid max_fail
  }
  rollout { # ERROR: Duplicate rollout block
    serial = "25%"
  }
  drift {
    schedule = "@hourly"
    mode     = "fix" # ERROR: Invalid drift mode
  }
}
