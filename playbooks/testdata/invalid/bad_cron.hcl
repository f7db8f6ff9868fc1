playbook "p" {
  window {
    start    = "0 25 * * SAT" # ERROR: Invalid cron expression
    duration = "4h"
  }
  window {
    start    = "@every 1h" # ERROR: Invalid cron expression
    duration = "4h"
  }
  drift {
    schedule = "every quarter hour" # ERROR: Invalid cron expression
  }
}
