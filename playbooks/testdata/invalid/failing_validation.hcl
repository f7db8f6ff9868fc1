playbook "p" {}

variable "max_skew" {
  type    = string
  default = "forever"

  validation {
    condition     = can(duration(var.max_skew)) # ERROR: Invalid value for variable
    error_message = "max_skew must be a duration such as 4m."
  }
}

variable "sites" {
  type    = list(string)
  default = ["HQ"]

  validation {
    condition     = length(var.sites) > 1 # ERROR: Invalid value for variable
    error_message = "Name at least two sites."
  }
  validation {
    condition     = length(var.other) > 1 # ERROR: Invalid reference in variable validation
    error_message = "Refers to another variable."
  }
}
