// Package ldapd is the lab's LDAP server: an Active Directory domain
// controller's LDAP, LDAPS and Global Catalog endpoints on real sockets,
// serving a directory.Directory.
//
// It speaks LDAPv3 (RFC 4511) directly on the BER codec and answers as AD
// does for what rectify uses: an anonymously readable root DSE whose
// currentTime follows the DC's clock offset; simple binds with a UPN,
// DOMAIN\user or a DN, refused with strongerAuthRequired (8) unless the
// connection is protected by LDAPS or StartTLS, and refused with AD's
// 80090308 text for a wrong password; searches refused to anonymous clients
// with AD's 000004DC text; the paged results control with opaque cookies and
// AD's MaxPageSize of 1000; a Global Catalog port whose searches from the
// empty base span the forest; and Modify, Add, Delete and Compare with the
// directory's answers.
//
// Garbage on the wire closes the connection; a message that is well framed
// but malformed gets protocolError. The lab drives faults through Restart
// (drop every connection and refuse new ones for a while) and SetLatency, and
// reads load through Stats.
package ldapd
