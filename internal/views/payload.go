package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rectifyhq/rectify/plans"
)

// A reviewer sees what apply runs: every change's payload, the data the
// action sends, rendered from the plan itself. Apply runs a change only
// when its own re-plan has this very payload, so what is shown is what
// runs. Sensitive values, which a plan keeps as salted hashes, show as
// "(sensitive)".

const sensitiveText = "(sensitive)"

// decodePayload reads a payload as plain JSON values, numbers as written.
func decodePayload(p json.RawMessage) (any, bool) {
	if len(bytes.TrimSpace(p)) == 0 {
		return nil, false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// writePayload writes a change's payload below it, one top-level field a
// line, indented.
func writePayload(b *strings.Builder, p json.RawMessage) {
	v, ok := decodePayload(p)
	if !ok {
		return
	}
	m, isObject := v.(map[string]any)
	if !isObject || len(m) == 0 || plans.IsHidden(v) {
		fmt.Fprintf(b, "      payload: %s\n", value(v))
		return
	}
	keys := make([]string, 0, len(m))
	width := 0
	for k := range m {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	sort.Strings(keys)
	b.WriteString("      payload:\n")
	for _, k := range keys {
		fmt.Fprintf(b, "        %-*s = %s\n", width, k, value(m[k]))
	}
}

// payloadJSON renders a payload as indented JSON with sensitive values as
// "(sensitive)", for a change ticket.
func payloadJSON(p json.RawMessage) (string, bool) {
	v, ok := decodePayload(p)
	if !ok {
		return "", false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(shown(v)); err != nil {
		return "", false
	}
	return strings.TrimRight(buf.String(), "\n"), true
}

// shown replaces recorded sensitive values by "(sensitive)".
func shown(v any) any {
	if plans.IsHidden(v) {
		return sensitiveText
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = shown(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = shown(e)
		}
		return out
	}
	return v
}

// fence returns a Markdown code fence longer than any run of backticks in
// text, so that the text cannot end the block.
func fence(text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
