# Microsoft KB 979174: "454 4.7.0 Temporary authentication failure" between
# Exchange servers. The steps follow the article: clocks, replication, SPNs,
# ports, Kerberos logging, the receive connector; then the sending servers'
# cached Kerberos tickets are purged and the queues retried, which proves
# the symptom is gone.

playbook "exchange-454" {
  title       = "Exchange 454 4.7.0 temporary authentication failure"
  kb          = "979174"
  description = "Exchange servers fail to authenticate each other (Kerberos): queues hold 451 4.4.0 / 454 4.7.0 and receivers log event 1035."

  # Changes on production domain controllers and Exchange servers happen in
  # the Saturday night change window.
  window {
    start    = "0 22 * * SAT"
    duration = "4h"
    timezone = "Europe/Berlin"
  }

  # One server at a time; stop at the first failure.
  rollout {
    serial   = 1
    max_fail = 0
  }

  # Scheduled runs report drift; they correct only inside the window.
  drift {
    schedule = "*/15 * * * *"
    mode     = "monitor"
  }
}

variable "max_skew" {
  type        = string
  default     = "4m"
  description = "The largest distance allowed between any two clocks (Kerberos allows 5 minutes); a server further than half of it from the domain's time is resynced."
}

variable "spn_conflicts" {
  type        = string
  default     = "report"
  description = "What to do with an SMTP SPN held by another account: report it, or remove_from_other."

  validation {
    condition     = contains(["report", "remove_from_other"], var.spn_conflicts)
    error_message = "spn_conflicts must be \"report\" or \"remove_from_other\"."
  }
}

# KB step 1: every two clocks involved (the Exchange servers and their
# DCs) within the Kerberos tolerance of each other.
step "windows.time_skew" "clocks" {
  targets  = group.exchange
  against  = group.dc
  max_skew = var.max_skew
}

# KB step 3: SMTP and SMTPSVC SPNs on each Exchange server's computer
# account, and on no other account.
step "ad.spn" "smtp" {
  targets           = group.exchange
  services          = ["SMTP", "SMTPSVC"]
  resolve_conflicts = var.spn_conflicts
}

# KB step 3, forest-wide: duplicate SMTP SPNs anywhere (setspn -X), as
# findings for the operator.
step "ad.spn_duplicates" "duplicates" {
  targets  = group.dc
  services = ["SMTP", "SMTPSVC"]
}

# KB step 2: force replication when links fail, and after SPN changes so
# that every DC knows the new SPNs before Exchange authenticates again. Each
# DC reads and repairs only its own replication: it pulls over its failing
# links, and pulls the SPN changes from the DC rectify wrote them on (the
# DC of the domain's ldap url), on itself, with no credentials beyond
# rectify's session.
step "ad.replication" "replication" {
  targets      = group.dc
  triggered_by = [step.smtp]
}

# KB cause 4: the Kerberos and AD ports from each Exchange server to its
# DCs. rectify reports blocked ports; it does not change firewalls.
step "net.kerberos_ports" "ports" {
  targets = group.exchange
  against = group.dc
}

# KB step 5: Kerberos event logging (KB 262177) while troubleshooting. It
# is noisy, so it is temporary: a plan after 24 hours reverts it.
step "windows.registry_value" "kerberos_log" {
  targets = group.exchange
  path    = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"
  name    = "LogLevel"
  type    = "dword"
  value   = 1
  expires = "24h"
  kb_step = "5"
  reason  = "Kerberos event logging (KB 262177) names the failing principal"
}

# KB step 5, then "look again": the Kerberos client logs its errors only
# once LogLevel is on, and only when Kerberos is used. When the step above
# turns logging on, the log is read again after it and after the queues
# were retried (the traffic that makes the servers ask for tickets): event
# 3 by its error code (missing SPN, skew, wrong account) and event 4
# (KRB_AP_ERR_MODIFIED) on each Exchange server, and the KDC's event 11
# (an SPN held twice) on its DCs. Otherwise the plan reports what the log
# holds now.
step "windows.event_query" "kerberos_errors" {
  targets      = group.exchange
  against      = group.dc
  preset       = "kerberos_errors"
  triggered_by = [step.kerberos_log]
  depends_on   = [step.queues]
}

# The symptom on the receiving side: event 1035 names the receive
# connector that refused Exchange Server authentication, and the sender.
step "windows.event_query" "receive_failures" {
  targets = group.exchange
  preset  = "transport_1035"
  kb_step = "symptom"
}

# KB step 6: Exchange Server authentication on the receive connector that
# takes the other Exchange servers' mail. rectify reads the connectors from
# the directory and places each sending server's address as Exchange does
# (bindings, then the narrowest RemoteIPRanges): a custom connector that
# captures their mail is reported as the cause, with its ranges; only
# "Default <SERVER>" is changed unless identity names another connector.
# Changes go through Exchange's management endpoint, http://<fqdn>/PowerShell/.
step "exchange.receive_connector_auth" "connector" {
  targets    = group.exchange
  depends_on = [step.clocks]
}

# Confirming step 6: a sending server's cached Kerberos tickets still carry
# the state they were issued in (a ticket for the wrong account fails until
# it expires, ten hours later). While its queues hold 454 4.7.0, purge them:
# klist -li 0x3e7 purge and klist -li 0x3e4 purge (the Transport service
# runs as NETWORK SERVICE).
step "exchange.ticket_purge" "tickets" {
  targets    = group.exchange
  depends_on = [step.clocks, step.smtp, step.replication, step.ports, step.connector]
}

# Confirming step 6: retry the queues in Retry status that hold 454 4.7.0,
# wait for the attempt's outcome, and confirm the error is gone.
step "exchange.queue" "queues" {
  targets    = group.exchange
  depends_on = [step.clocks, step.smtp, step.replication, step.ports, step.connector, step.tickets]
  wait       = "2m"
}
