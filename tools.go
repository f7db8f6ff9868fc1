//go:build tools

// Package main records the module dependencies that later packages use, so
// that go mod tidy keeps them while those packages are being written.
package main

import (
	_ "github.com/Azure/go-ntlmssp"
	_ "github.com/go-ldap/ldap/v3"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hashicorp/hcl/v2"
	_ "github.com/jimlambrt/gldap"
	_ "github.com/masterzen/winrm"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/rs/zerolog"
	_ "modernc.org/sqlite"
)
