package journal

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestPasswordInURLIsRefusedUnshown: a -state URL holding a password is
// refused before any connection, and the message does not repeat it.
func TestPasswordInURLIsRefusedUnshown(t *testing.T) {
	const secret = "Tr0ub4dor-3"
	for _, u := range []string{
		"postgres://alice:" + secret + "@db.corp.example.com/rectify",
		"postgresql://alice@db.corp.example.com/rectify?sslmode=verify-full&password=" + secret,
	} {
		_, err := Open(context.Background(), u)
		if !errors.Is(err, ErrPasswordInURL) {
			t.Errorf("open %s: %v, want ErrPasswordInURL", RedactURL(u), err)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the refusal shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "db.corp.example.com") {
			t.Errorf("the refusal does not name the journal: %v", err)
		}
	}
}
