package playbooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// Digest returns "sha256:<hex>" over the playbook as evaluated: its
// identity, change windows, rollout, every variable's value and every
// step's action, targets, order, dependencies, triggers and decoded
// configuration. A sensitive value counts only through its hash keyed by
// salt, so the digest says nothing about a secret that the salt's holder
// could not guess anyway. Two evaluations digest equally exactly when
// apply would do the same with them; a comment or a reformatted file does
// not change the digest, an env() that now reads another value does.
func (r *Resolved) Digest(salt plans.Salt) (string, error) {
	type window struct {
		Start    string `json:"start"`
		Duration string `json:"duration"`
		Timezone string `json:"timezone"`
	}
	type amount struct {
		Set     bool `json:"set"`
		Value   int  `json:"value"`
		Percent bool `json:"percent"`
	}
	type rollout struct {
		Serial  amount `json:"serial"`
		MaxFail amount `json:"max_fail"`
	}
	type step struct {
		Name        string   `json:"name"`
		Action      string   `json:"action"`
		Description string   `json:"description"`
		AutoCorrect bool     `json:"auto_correct"`
		Targets     []string `json:"targets"`
		DependsOn   []string `json:"depends_on"`
		TriggeredBy []string `json:"triggered_by"`
		Config      any      `json:"config"`
	}
	pb := r.Playbook
	doc := struct {
		Name        string         `json:"name"`
		Title       string         `json:"title"`
		KB          string         `json:"kb"`
		Description string         `json:"description"`
		Windows     []window       `json:"windows"`
		Rollout     *rollout       `json:"rollout"`
		Approvals   int            `json:"approvals,omitempty"`
		Variables   map[string]any `json:"variables"`
		Steps       []step         `json:"steps"`
	}{Name: pb.Name, Title: pb.Title, KB: pb.KB, Description: pb.Description, Windows: []window{}, Variables: map[string]any{}, Steps: []step{}}
	for _, w := range pb.Windows {
		tz := "UTC"
		if w.Location != nil {
			tz = w.Location.String()
		}
		doc.Windows = append(doc.Windows, window{Start: w.Start, Duration: w.Duration.String(), Timezone: tz})
	}
	if pb.Approvals != nil {
		doc.Approvals = pb.Approvals.Required
	}
	if ro := pb.Rollout; ro != nil {
		doc.Rollout = &rollout{
			Serial:  amount{Set: ro.Serial.Set, Value: ro.Serial.Value, Percent: ro.Serial.Percent},
			MaxFail: amount{Set: ro.MaxFail.Set, Value: ro.MaxFail.Value, Percent: ro.MaxFail.Percent},
		}
	}
	for name, v := range r.Variables {
		doc.Variables[name] = actions.JSONValue(v)
	}
	for _, s := range r.Steps {
		st := step{Name: s.Name, Action: s.Step.ActionID, Description: s.Step.Description, AutoCorrect: s.Step.AutoCorrect,
			Targets: nonNilStrings(s.Targets), DependsOn: sortedStrings(s.DependsOn), TriggeredBy: sortedStrings(s.TriggeredBy),
			Config: actions.JSONValue(s.Config.Value)}
		doc.Steps = append(doc.Steps, st)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	red, err := plans.Redact(b, salt)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(red)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
