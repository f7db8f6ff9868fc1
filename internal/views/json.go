package views

import (
	"encoding/json"
	"io"

	"github.com/rectifyhq/rectify/plans"
)

// writeJSON writes v as indented JSON, the form every -json output takes
// but the event streams of apply and watch, which write one line per
// event.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// PlanJSON writes p as JSON: the plan as a saved plan file holds it,
// indented.
func PlanJSON(w io.Writer, p *plans.Plan) error { return writeJSON(w, p) }

// ValidationJSON writes the result of "rectify validate -json".
func ValidationJSON(w io.Writer, v Validation) error { return writeJSON(w, v) }
