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
