# Every error below involves the secret of RECTIFY_TEST_SECRET; none of
# the rendered diagnostics may contain it.
playbook "secrets" {}

variable "token" {
  type = string
  # Not declared sensitive: the value comes from env() in the var file, and
  # its mark alone must keep it out of diagnostics.
  validation {
    condition     = var.token == "expected"
    error_message = "The token is too short."
  }
}

variable "declared" {
  type      = string
  sensitive = true
  validation {
    condition     = can(regex("^[0-9]+$", var.declared))
    error_message = "The declared secret must be digits."
  }
}

variable "declared_list" {
  type      = list(string)
  sensitive = true
}

variable "plain" {
  type    = string
  default = "visible"
  validation {
    condition     = var.plain == "other" # ERROR: Invalid value for variable
    error_message = "Plain values are shown."
  }
}

locals {
  secret = env("RECTIFY_TEST_SECRET")
  upper  = upper(local.secret)
}

step "ad.replication" "push" {
  targets    = group.dc
  retries    = tonumber(upper(local.secret)) # ERROR: Invalid function argument
  timeout    = local.secret # ERROR: Invalid value for attribute
  partitions = local.secret # ERROR: Incorrect attribute value type
}

step "windows.time_skew" "clocks" {
  targets  = group.exchange
  max_skew = duration(local.upper) # ERROR: Invalid function argument
  resync   = env("RECTIFY_TEST_SECRET") # ERROR: Incorrect attribute value type

  # A sensitive value that is never marked as such still does not reach
  # a diagnostic once it has been seen as a secret.
  against = [tonumber(nonsecret(local.secret))] # ERROR: Invalid function argument
}

step "ad.spn" "smtp" {
  targets           = group.exchange
  resolve_conflicts = var.declared # ERROR: Invalid value for attribute
  services          = [for s in [local.secret] : s if s + 1 > 0] # ERROR: Invalid operand
}

step "windows.registry_value" "lookup" {
  targets = group.exchange
  path    = local.secret # ERROR: Invalid value for attribute
  name    = { a = 1 }[local.secret] # ERROR: Invalid index
  type    = "dword"
  value   = var.token
}
