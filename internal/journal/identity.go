package journal

import "os/user"

// osUser returns the name of the OS account running rectify, "" when it
// cannot be told. Tests replace it to act as several people.
var osUser = func() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// OSAccount returns the OS account running rectify, "unknown" when it
// cannot be told: who made a plan when there is no journal to ask.
func OSAccount() string {
	if u := osUser(); u != "" {
		return u
	}
	return "unknown"
}
