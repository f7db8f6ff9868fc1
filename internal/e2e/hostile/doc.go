// Package hostile is rectify's hostile input suite. Its tests feed host
// names, FQDNs, connector identities, registry paths, SPN services,
// variable values and files carrying PowerShell and LDAP metacharacters,
// control characters, oversized strings and look-alike letters through
// inventories and playbooks into validate, plan and apply against the lab,
// and check each either reaches the lab only as inert data inside an op's
// JSON arguments (the lab records every op and argument it receives) or is
// refused with a diagnostic at the right place, with the lab's state and
// the journal showing that nothing else happened.
package hostile
