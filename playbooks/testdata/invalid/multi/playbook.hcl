playbook "multi" {
  window {
    start    = "0 22 * * SATURDAY" # ERROR: Invalid cron expression
    duration = "4 hours" # ERROR: Invalid duration
  }
}

variable "max_skew" {
  type    = string
  default = "forever"
  validation {
    condition     = can(duration(var.max_skew)) # ERROR: Invalid value for variable
    error_message = "max_skew must be a duration."
  }
}

variable "needed" { # ERROR: No value for required variable
  type = number
}
