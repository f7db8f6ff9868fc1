# KB 979174: Exchange "454 4.7.0 Temporary authentication failure".
playbook "exchange-454" {
  title       = "Exchange 454 4.7.0 temporary authentication failure"
  kb          = "979174"
  description = "Restores Kerberos authentication between Exchange servers."

  window {
    start    = "0 22 * * SAT" # Saturdays 22:00
    duration = "4h"
    timezone = "Europe/Berlin"
  }
  window {
    start    = "0 2 * * SUN"
    duration = "90m"
  }

  rollout {
    serial   = 1 # one Exchange server at a time
    max_fail = 0
  }

  drift {
    schedule = "@every 15m"
    mode     = "monitor"
  }
}

variable "max_skew" {
  type        = string
  default     = "4m" # warn before Kerberos' 5-minute limit bites
  description = "The clock skew tolerated between a host and its domain controllers."

  validation {
    condition     = can(duration(var.max_skew))
    error_message = "max_skew must be a duration such as 4m."
  }
}

variable "spn_services" {
  type    = list(string)
  default = ["SMTP", "SMTPSVC"]
}

locals {
  hub_site  = "HQ"
  log_level = 1
}
