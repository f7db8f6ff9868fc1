package plans

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Rollout says how many hosts change at once and how many may fail
// before apply stops starting batches.
type Rollout struct {
	// Serial is the batch size; unset means every host at once.
	Serial Amount `json:"serial,omitzero"`
	// MaxFail is how many changes may fail before later batches are not
	// started.
	MaxFail int `json:"max_fail"`
}

// BatchSize returns how many of total hosts change at once: Serial of
// total, at least one and at most total, or total when Serial is unset.
func (r Rollout) BatchSize(total int) int {
	if !r.Serial.IsSet() {
		return total
	}
	return max(1, min(r.Serial.Of(total), total))
}

// UnmarshalJSON reads a rollout, refusing a negative max_fail.
func (r *Rollout) UnmarshalJSON(b []byte) error {
	type plain Rollout
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.MaxFail < 0 {
		return fmt.Errorf("rollout max_fail %d: must not be negative", p.MaxFail)
	}
	*r = Rollout(p)
	return nil
}

// Amount is a number of hosts: absolute (2) or a share of all of them
// (25%). The zero Amount is unset.
type Amount struct {
	n       int
	percent bool
}

// Hosts returns the amount of n hosts (n at least 1).
func Hosts(n int) (Amount, error) {
	if n < 1 {
		return Amount{}, fmt.Errorf("%d hosts: an amount is at least one host", n)
	}
	return Amount{n: n}, nil
}

// Percent returns the amount of p percent of the hosts (1 to 100).
func Percent(p int) (Amount, error) {
	if p < 1 || p > 100 {
		return Amount{}, fmt.Errorf("%d%%: a share of the hosts lies between 1%% and 100%%", p)
	}
	return Amount{n: p, percent: true}, nil
}

// ParseAmount reads an amount as String writes it: "2" or "25%".
func ParseAmount(s string) (Amount, error) {
	num, pct := strings.CutSuffix(s, "%")
	n, err := strconv.Atoi(num)
	if err != nil || strconv.Itoa(n) != num {
		return Amount{}, fmt.Errorf("%q is neither a number of hosts (2) nor a percentage (25%%)", s)
	}
	if pct {
		return Percent(n)
	}
	return Hosts(n)
}

// IsSet reports whether the amount was given.
func (a Amount) IsSet() bool { return a.n > 0 }

// Of returns the amount for total hosts; a percentage rounds down, as
// Ansible's serial does.
func (a Amount) Of(total int) int {
	if a.percent {
		return total * a.n / 100
	}
	return a.n
}

// Equal reports whether a and o are the same amount.
func (a Amount) Equal(o Amount) bool { return a == o }

// String returns "2", "25%", or "" when unset.
func (a Amount) String() string {
	switch {
	case !a.IsSet():
		return ""
	case a.percent:
		return strconv.Itoa(a.n) + "%"
	}
	return strconv.Itoa(a.n)
}

// MarshalJSON writes the amount as its string.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.IsSet() {
		return nil, errors.New("encode an unset amount")
	}
	return json.Marshal(a.String())
}

// UnmarshalJSON reads and validates an amount written by MarshalJSON.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("rollout amount: %w", err)
	}
	parsed, err := ParseAmount(s)
	if err != nil {
		return fmt.Errorf("rollout amount: %w", err)
	}
	*a = parsed
	return nil
}
