// Package playbooks decodes rectify's playbook language: HCL files that
// encode the steps of a knowledge-base article as actions.
//
// # The language
//
// A playbook is a directory of .hcl files (or one file) holding:
//
//	playbook "<name>" {            # exactly one
//	  title, kb, description       # constant strings
//	  window {                     # repeatable; none means any time
//	    start    = "0 22 * * SAT"  # five cron fields, or @daily etc.
//	    duration = "4h"
//	    timezone = "Europe/Berlin" # IANA name; UTC when absent
//	  }
//	  rollout { serial = 1, max_fail = 0 }   # a count or "25%"
//	  drift { schedule = "@every 15m", mode = "monitor" | "correct", timezone = "UTC" }
//	}
//	variable "<name>" {
//	  type, default, description, sensitive
//	  validation { condition = <refers only to var.<name>>, error_message = "..." }
//	}
//	locals { <name> = <expression> }   # several blocks; names unique
//	step "<action id>" "<name>" {
//	  targets      = group.exchange    # hosts: host.ex01, "ex01", lists, for expressions
//	  depends_on   = [step.clocks]
//	  triggered_by = [step.smtp]
//	  description  = "..."
//	  auto_correct = false             # default true
//	  <the action's attributes>
//	}
//
// Expressions may refer to var.<name>, local.<name>, group.<name> (a list
// of host objects with name, fqdn, address, domain, site, groups and vars),
// host.<name> (one such object) and step.<name> (an object with the step's
// name and action; a reference orders the steps like depends_on), and call
// the functions of internal/lang. Variable values come from defaults,
// -var-file files (HCL attribute files; name them *.vars, since every
// *.hcl file of a playbook directory is part of the playbook) and -var.
//
// # Two stages
//
// Decoding happens in two stages, in the manner of Terraform's
// configuration loader. LoadDir is static: it parses the files, decodes
// the blocks into structs that keep the source range of everything, looks
// each step's action up in an actions.Registry, checks attribute names
// against the action's schema, checks references to variables, locals and
// steps, and finds cycles. Nothing is evaluated that depends on variables
// or an inventory.
//
// Evaluate is the second stage: given variable values and, optionally, the
// hosts of an inventory, it evaluates variables (with their validation
// rules), locals, targets and each step's attributes, and decodes them
// against the action's schema into an actions.Config. Load runs both.
//
// Both stages report every problem they find as an hcl.Diagnostic with the
// tightest source range, all in one pass. Values marked lang.Sensitive
// (from env, file, sensitive, or a variable declared sensitive) never
// appear in a diagnostic: see the rules in sensitive.go.
package playbooks
