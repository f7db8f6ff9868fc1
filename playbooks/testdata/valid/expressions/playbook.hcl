playbook "expressions" {
  rollout {
    serial   = "50%"
    max_fail = "25%"
  }
}

variable "sites" {
  type    = set(string)
  default = ["HQ", "Branch"]

  validation {
    condition     = length(var.sites) > 0
    error_message = "Name at least one site."
  }
}

variable "connector" {
  type = object({
    identity = optional(string, "Default")
    groups   = optional(list(string), ["ExchangeServers"])
  })
  default = {}
}

locals {
  targets = [for h in group.exchange : h if contains(var.sites, h.site)]
}

locals {
  first   = local.targets[0]
  dc_name = upper(format("%s%s", "dc", "01"))
}

step "exchange.receive_connector_auth" "connector" {
  targets           = local.targets
  identity          = "${local.first.name}\\${var.connector.identity} ${upper(local.first.name)}"
  permission_groups = var.connector.groups
}

step "ad.replication" "after" {
  targets   = [lower(local.dc_name)]
  method    = "push"
  push_from = lower(local.dc_name)
  kb_step   = format("after %s", step.connector.name)
}
