package lab

// Account is a directory object that can hold SPNs, as the lab's hosts see
// it.
type Account struct {
	DN             string
	SAMAccountName string // "EX01$"
	DNSHostName    string
	SPNs           []string
}

// Accounts is the part of the directory the simulated hosts consult: the
// KDC's view of SPNs and setspn's view of accounts. It is satisfied by an
// adapter over the lab's directory.
type Accounts interface {
	// Account finds an object by sAMAccountName (with or without the
	// trailing $) or dNSHostName, case-insensitively.
	Account(name string) (Account, bool)
	// Holders returns every object holding spn (case-insensitive).
	Holders(spn string) []Account
	// WithSPNs returns every object that holds at least one SPN.
	WithSPNs() []Account
	// AddSPNs adds SPNs to an object without the uniqueness check, as an
	// operator seeding a fault or a replicated write would.
	AddSPNs(dn string, spns ...string) error
	// RemoveSPNs removes SPNs from an object.
	RemoveSPNs(dn string, spns ...string) error
}

// requiredSPNs are the SPNs an Exchange server's computer account must
// hold (KB 979174, step 3).
func requiredSPNs(h *Host) []string {
	return []string{
		"SMTP/" + h.NetBIOS,
		"SMTP/" + h.FQDN,
		"SMTPSVC/" + h.NetBIOS,
		"SMTPSVC/" + h.FQDN,
	}
}
