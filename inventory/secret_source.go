package inventory

// SecretSource is implemented by the Extra of a diagnostic whose source
// line holds a secret (a password written in the file): views show its
// file and line but not the line itself, so that the warning about a
// password does not print it into a terminal, a CI log or a ticket.
type SecretSource interface {
	SecretSource() bool
}

type secretSource struct{}

func (secretSource) SecretSource() bool { return true }

var _ SecretSource = secretSource{}
