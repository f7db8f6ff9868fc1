// Package directory is the lab's Active Directory forest: a concurrency-safe,
// in-memory directory information tree with the semantics of an Active
// Directory domain controller for the parts rectify relies on.
//
// Entries carry multi-valued attributes whose names compare
// case-insensitively. Distinguished names are normalised as RFC 4514 says
// (escapes resolved, case folded), so any spelling of a DN finds its entry.
// The forest has three naming contexts, as AD has: the domain, the
// configuration and the schema partitions. A subtree search stays inside the
// naming context of its base; only a Global Catalog search from the empty
// base spans the forest.
//
// Values match with AD's rules: strings case-insensitively (so
// servicePrincipalName, sAMAccountName and dNSHostName find their holders in
// any case), integers numerically with the bitwise matching rules
// 1.2.840.113556.1.4.803 and .804, DN-valued attributes by normalised DN, and
// objectCategory also by the short class name (objectCategory=computer).
//
// Writes follow AD's answers: an Add of a value already present fails the
// whole Modify with attributeOrValueExists (20), deleting an absent value fails
// with noSuchAttribute (16), and an originating write of a
// servicePrincipalName that another object holds fails with
// constraintViolation (19) and AD's 000021C7 text, as a Windows Server 2012 R2
// or later DC does. Seed and SeedAttribute bypass that check, the way a
// replicated collision does, so the lab can plant duplicates on purpose.
//
// Every write bumps an update sequence number (Version), stamped on the
// changed entry as uSNChanged, so the lab can tell what changed
// (ChangedSince).
package directory
