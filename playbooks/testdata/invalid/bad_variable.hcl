playbook "p" {}

variable "retries" {
  type    = numbr # ERROR: Invalid type specification
  default = 1
}

variable "skew" {
  type    = number
  default = "soon" # ERROR: Invalid default value for variable
}

variable "skew" { # ERROR: Duplicate variable declaration
  default = 1
}

variable "from_env" {
  default = env("HOME") # ERROR: Function calls not allowed
}
