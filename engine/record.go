package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// minLeak is the shortest secret the leak check looks for: shorter
// strings occur in ordinary text by chance.
const minLeak = 4

// recorder turns what actions return into what plans and the journal keep.
// Sensitivity travels with the values: actions wrap the secrets of their
// configuration in plans.Sensitive and mark the attributes that show them,
// and the recorder keeps only salted hashes of them. An observed state, an
// outcome and undo data of an instance whose configuration holds a secret
// are kept only as a salted hash as a whole: they are the host's copy of
// the secret. Last, a change that would still show a secret of the
// configuration in clear text is refused, so that an action that forgets
// to mark one fails loudly instead of leaking.
type recorder struct {
	salt plans.Salt
}

// state encodes an observed state as a plan records it, and its digest.
func (r recorder) state(a actions.Action, inst actions.Instance, st actions.State) (json.RawMessage, string, error) {
	raw, _, err := plans.EncodeState(st)
	if err != nil {
		return nil, "", err
	}
	if raw, err = r.document(a, inst, raw); err != nil {
		return nil, "", fmt.Errorf("record the observed state: %w", err)
	}
	sum := sha256.Sum256(raw)
	return raw, "sha256:" + hex.EncodeToString(sum[:]), nil
}

// document is a state, outcome or undo document as a record keeps it.
func (r recorder) document(a actions.Action, inst actions.Instance, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return raw, nil
	}
	if stateHoldsSecrets(a, inst.Config) {
		return plans.HideAll(raw, r.salt)
	}
	return plans.Redact(raw, r.salt)
}

// stateHoldsSecrets says whether a host's state of the instance may hold
// a secret of its configuration: as the action says, or, when it cannot
// say, whenever the configuration holds one.
func stateHoldsSecrets(a actions.Action, cfg actions.Config) bool {
	if s, ok := a.(actions.StateSecrets); ok {
		return s.StateHoldsSecrets(cfg)
	}
	return cfg.AnySensitive()
}

// change returns ch as a plan records it, or an error if it would show a
// secret of the instance's configuration.
func (r recorder) change(inst actions.Instance, ch plans.Change) (plans.Change, error) {
	red, err := plans.RedactChange(ch, r.salt)
	if err != nil {
		return plans.Change{}, fmt.Errorf("record the change: %w", err)
	}
	b, err := json.Marshal(red)
	if err != nil {
		return plans.Change{}, fmt.Errorf("record the change: %w", err)
	}
	if leaks(string(b), inst.Config.SensitiveStrings()) {
		return plans.Change{}, errLeak
	}
	return red, nil
}

// errLeak refuses a change that would show a secret.
var errLeak = fmt.Errorf("the change would show a sensitive value of the step (from env(), file() or a sensitive variable) in clear text, " +
	"in its object, reasons or an attribute the action does not hide; rectify does not plan it. Use a sensitive value only where the action keeps it hidden (see the action's documentation)")

// leaks reports whether text holds any of secrets, as written or escaped
// as a JSON string.
func leaks(text string, secrets []string) bool {
	for _, s := range secrets {
		if len(strings.TrimSpace(s)) < minLeak {
			continue
		}
		if strings.Contains(text, s) || strings.Contains(text, strings.TrimSpace(s)) {
			return true
		}
		if q, err := json.Marshal(s); err == nil && strings.Contains(text, strings.Trim(string(q), `"`)) {
			return true
		}
	}
	return false
}

// text keeps a message or error text that quotes a secret of the instance
// out of the records. Messages come from hosts and scripts, which may echo
// their arguments; this is a second line of defence behind marking.
func (r recorder) text(inst actions.Instance, s string) string {
	secrets := inst.Config.SensitiveStrings()
	if !leaks(s, secrets) {
		return s
	}
	for _, v := range secrets {
		if len(strings.TrimSpace(v)) < minLeak {
			continue
		}
		s = strings.ReplaceAll(s, v, "(sensitive)")
		s = strings.ReplaceAll(s, strings.TrimSpace(v), "(sensitive)")
		if q, err := json.Marshal(v); err == nil {
			s = strings.ReplaceAll(s, strings.Trim(string(q), `"`), "(sensitive)")
		}
	}
	return s
}

// config records a step's configuration.
func (r recorder) config(cfg actions.Config) (json.RawMessage, error) {
	b, err := cfg.Record()
	if err != nil {
		return nil, err
	}
	return plans.Redact(b, r.salt)
}
