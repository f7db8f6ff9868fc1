package ntlm

// Flags are the negotiate flags of MS-NLMP 2.2.2.5.
type Flags uint32

// The flags this package sets or reads.
const (
	FlagUnicode          Flags = 1 << 0  // A: Unicode strings
	FlagRequestTarget    Flags = 1 << 2  // C: the server names its domain
	FlagSign             Flags = 1 << 4  // D: message integrity
	FlagSeal             Flags = 1 << 5  // E: message confidentiality
	FlagLMKey            Flags = 1 << 7  // G: LM session key (NTLMv1 only)
	FlagNTLM             Flags = 1 << 9  // H: NTLM session security
	FlagAnonymous        Flags = 1 << 11 // J: anonymous
	FlagAlwaysSign       Flags = 1 << 15 // M: a signature even without integrity
	FlagTargetTypeDomain Flags = 1 << 16 // N
	FlagTargetTypeServer Flags = 1 << 17 // O
	FlagExtendedSecurity Flags = 1 << 19 // P: NTLM2 session security
	FlagTargetInfo       Flags = 1 << 23 // S: the CHALLENGE carries target info
	FlagVersion          Flags = 1 << 25 // T: messages carry a version
	Flag128              Flags = 1 << 29 // U: 128-bit keys
	FlagKeyExchange      Flags = 1 << 30 // V: the client chooses the session key
	Flag56               Flags = 1 << 31 // W: 56-bit keys
)

// Has reports whether every flag of want is set.
func (f Flags) Has(want Flags) bool { return f&want == want }

// Confidential reports whether a session with these flags seals messages
// as WinRM message encryption needs: sealing and signing with extended
// session security, 128-bit keys and key exchange.
func (f Flags) Confidential() bool {
	return f.Has(FlagSign | FlagSeal | FlagExtendedSecurity | Flag128 | FlagKeyExchange)
}
