playbook "p" {
  window {
    start    = "0 22 * * SAT"
    duration = "4h"
    timezone = "Europe/Berlinn" # ERROR: Invalid time zone
  }
}
