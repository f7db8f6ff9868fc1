// Package ldaptest holds the contract suite of the directory behaviour
// rectify relies on: bind rules, TLS verification, the rootDSE, SPN
// searches, paging, Modify's answers and the SPN helpers. RunContract runs
// it through rectify's own LDAP client against any server that claims to
// behave like an Active Directory domain controller; the tests of this
// package run it against a real Samba AD DC and against the lab's server,
// so that where the two disagree, the lab is shown to be wrong.
package ldaptest
