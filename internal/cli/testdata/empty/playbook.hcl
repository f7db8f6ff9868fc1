# A playbook without steps: valid with any action registry.
playbook "empty" {
  title = "Nothing to do"
}
