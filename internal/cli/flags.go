package cli

import (
	"errors"
	"strings"
)

// varsFlag collects repeated -var name=value flags; a later value for the
// same name wins, as in Terraform.
type varsFlag struct {
	values map[string]string
	// err is a malformed -var. It is kept here rather than returned from
	// Set because the flag package would quote the value, which may be a
	// secret, in its message.
	err error
}

func (v *varsFlag) String() string {
	if v == nil || len(v.values) == 0 {
		return ""
	}
	names := make([]string, 0, len(v.values))
	for n := range v.values {
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

func (v *varsFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		if v.err == nil {
			v.err = errors.New("-var wants name=value")
		}
		return nil
	}
	if v.values == nil {
		v.values = map[string]string{}
	}
	v.values[name] = value
	return nil
}

// stringsFlag collects a repeated flag's values in order.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}
