playbook "p" {
  window {
    start    = "0 22 * * SAT"
    duration = "four hours" # ERROR: Invalid duration
  }
  window {
    start    = "0 22 * * SUN"
    duration = "0s" # ERROR: Invalid duration
  }
}
