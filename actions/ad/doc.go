// Package ad holds the built-in actions for Active Directory: ad.spn (the
// SMTP service principal names on an Exchange server's computer account,
// KB 979174 step 3), ad.spn_duplicates (the forest-wide duplicate scan, as
// findings) and ad.replication (forced replication between domain
// controllers, KB 979174 step 2).
package ad
