package operation

// Kind is what a run does.
type Kind string

// The kinds of runs.
const (
	// KindApply applies a reviewed plan.
	KindApply Kind = "apply"
	// KindWatch is one drift cycle: plan, record the drift, correct it.
	KindWatch Kind = "watch"
	// KindUndo undoes the changes of an earlier run.
	KindUndo Kind = "undo"
)

// RunInfo describes a run as it starts.
type RunInfo struct {
	Kind            Kind
	Playbook        string
	PlaybookDigest  string
	Inventory       string
	InventoryDigest string
	PlanDigest      string
	// WindowOverride is the reason given for changing hosts outside the
	// playbook's change windows.
	WindowOverride string
	// PlanAgeOverride is the reason given for applying a plan older than
	// apply allows.
	PlanAgeOverride string
	// PlannedBy is who made the plan, as the plan records it.
	PlannedBy string
}
