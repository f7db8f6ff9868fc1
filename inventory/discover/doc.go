// Package discover builds an inventory from Active Directory itself: the
// Exchange servers of the forest (msExchExchangeServer objects in the
// configuration partition), the domain controllers of the bound domain
// (computer accounts with SERVER_TRUST_ACCOUNT, userAccountControl bit
// 8192) and the sites they belong to.
//
// Discover reads the directory through an actions.Directory with structured
// filters only; nothing read from the directory is ever turned into filter
// text. Write renders the result as an inventory file with hclwrite:
// every name and value from the directory is an HCL string literal, host
// names are mapped to safe lower-case identifiers (the directory's own name
// is kept as the directory_name variable when it differs), and credentials
// appear only as env() calls.
package discover
