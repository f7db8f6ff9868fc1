playbook "a" {}

playbook "b" {} # ERROR: Duplicate playbook block
