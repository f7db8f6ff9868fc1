package plans

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RedactChange returns c as a plan records it: its payload in canonical
// form with every Sensitive value replaced by its salted hash, and so the
// values of sensitive attributes and any Sensitive value inside the other
// attributes. A change already redacted is returned unchanged.
func RedactChange(c Change, salt Salt) (Change, error) {
	if len(c.Payload) > 0 {
		p, err := Redact(c.Payload, salt)
		if err != nil {
			return Change{}, fmt.Errorf("payload: %w", err)
		}
		c.Payload = p
	}
	if len(c.Attrs) > 0 {
		attrs := make([]Attr, len(c.Attrs))
		for i, a := range c.Attrs {
			var err error
			if a.Before, err = redactAttr(a.Before, a.Sensitive, salt); err != nil {
				return Change{}, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			if a.After, err = redactAttr(a.After, a.Sensitive, salt); err != nil {
				return Change{}, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			attrs[i] = a
		}
		c.Attrs = attrs
	}
	return c, nil
}

func redactAttr(v any, sensitive bool, salt Salt) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if !sensitive && !bytes.Contains(b, []byte(`"`+clearKey+`"`)) {
		return v, nil
	}
	if sensitive {
		if d, err := decodeJSON(b); err == nil && IsHidden(d) {
			return d, nil
		}
		b, err = json.Marshal(Sensitive{Value: json.RawMessage(b)})
		if err != nil {
			return nil, err
		}
	}
	r, err := Redact(b, salt)
	if err != nil {
		return nil, err
	}
	return decodeJSON(r)
}

// reviewedAttr is an attribute as apply compares it.
type reviewedAttr struct {
	Name      string `json:"name"`
	Before    any    `json:"before,omitempty"`
	After     any    `json:"after,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// Differences compares what a change does now (a re-plan at apply) with
// the reviewed change of the saved plan, both redacted with the plan's
// salt, and names the parts that differ: "action", "object",
// "attributes", "payload", "expiry". The explanations (reason, risk, undo
// text, findings) and volatile attributes are not compared: they describe
// the change, they are not what runs.
func Differences(reviewed, now Change) ([]string, error) {
	var out []string
	if reviewed.Action != now.Action {
		out = append(out, "action")
	}
	if reviewed.Object != now.Object {
		out = append(out, "object")
	}
	ra, err := attrsForm(reviewed.Attrs)
	if err != nil {
		return nil, fmt.Errorf("the reviewed change: %w", err)
	}
	na, err := attrsForm(now.Attrs)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(ra, na) {
		out = append(out, "attributes")
	}
	rp, err := payloadForm(reviewed.Payload)
	if err != nil {
		return nil, fmt.Errorf("the reviewed change's payload: %w", err)
	}
	np, err := payloadForm(now.Payload)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(rp, np) {
		out = append(out, "payload")
	}
	if reviewed.Expires != now.Expires || reviewed.ExpiresIn != now.ExpiresIn || reviewed.Revert != now.Revert {
		out = append(out, "expiry")
	}
	return out, nil
}

func attrsForm(attrs []Attr) ([]byte, error) {
	list := make([]reviewedAttr, len(attrs))
	for i, a := range attrs {
		list[i] = reviewedAttr{Name: a.Name, Sensitive: a.Sensitive}
		if !a.Volatile {
			list[i].Before, list[i].After = a.Before, a.After
		}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("encode attributes: %w", err)
	}
	return Canonical(b)
}

func payloadForm(p json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(p)) == 0 {
		return nil, nil
	}
	c, err := Canonical(p)
	if err != nil {
		return nil, err
	}
	if string(c) == "null" {
		return nil, nil
	}
	return c, nil
}
