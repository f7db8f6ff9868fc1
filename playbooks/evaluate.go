package playbooks

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
)

// EvalInput is what Evaluate needs besides the playbook.
type EvalInput struct {
	// Vars are -var name=value settings, as raw text. A variable whose type
	// is string (or not given) takes the text literally; others parse it as
	// an HCL expression ([1, 2], {a = "b"}, true).
	Vars map[string]string
	// VarFiles are -var-file paths: HCL files of name = value attributes,
	// applied in order, before Vars. Their values may call functions
	// (token = env("TOKEN")) but refer to nothing.
	VarFiles []string
	// Values are values given as they were evaluated before (the variables
	// a saved plan records), applied after Vars. A sensitive one keeps its
	// mark.
	Values map[string]cty.Value
	// SecretVars are given like Vars, applied last, and are sensitive
	// whatever the variable declares: apply reads the sensitive variables
	// of a saved plan from RECTIFY_VAR_<name>.
	SecretVars map[string]string
	// Hosts are the inventory's hosts in inventory order. Nil means no
	// inventory: group and host references evaluate to unknown values, so
	// types are still checked but targets are not resolved.
	Hosts []actions.Host
	// Groups are the inventory's group names, including groups without
	// hosts; the groups hosts name are added to them.
	Groups []string
	// Functions is the function table; nil means lang.Scope{BaseDir:
	// the playbook's directory}.Functions().
	Functions map[string]function.Function
}

// evaluator holds the state of one Evaluate.
type evaluator struct {
	p       *Playbook
	in      EvalInput
	res     *Resolved
	secrets *secrets
	funcs   map[string]function.Function
	inv     *inventory
	vars    map[string]cty.Value
	locals  map[string]cty.Value
	stepObj cty.Value
	// groupVal and hostVal are the group and host roots, built once.
	groupVal, hostVal cty.Value
	// ctx is the current evaluation context; nil when a value changed.
	ctx *hcl.EvalContext
}

// Evaluate evaluates the playbook's variables, locals, targets and step
// attributes, and decodes each step's attributes against its action's
// schema. It always returns a Resolved, holding what evaluated; the
// diagnostics say what did not. It reports only problems LoadDir cannot
// see: expressions with a bad reference LoadDir reported are skipped.
// Evaluate does not change p: a playbook loaded once may be evaluated many
// times (a drift run each schedule), from several goroutines at once.
func (p *Playbook) Evaluate(in EvalInput) (*Resolved, hcl.Diagnostics) {
	e := &evaluator{
		p:       p,
		in:      in,
		secrets: &secrets{},
		vars:    map[string]cty.Value{},
		locals:  map[string]cty.Value{},
		res: &Resolved{
			Playbook:  p,
			Variables: map[string]cty.Value{},
			Locals:    map[string]cty.Value{},
			Inventory: in.Hosts != nil,
			Files:     map[string][]byte{},
			Given:     map[string]cty.Value{},
		},
	}
	funcs := in.Functions
	if funcs == nil {
		funcs = lang.Scope{BaseDir: p.Dir}.Functions()
	}
	e.funcs = e.secrets.guardFunctions(funcs)
	if in.Hosts != nil {
		e.inv = newInventory(in.Hosts, in.Groups)
		for _, h := range in.Hosts {
			e.res.hostOrder = append(e.res.hostOrder, h.Name)
		}
	}
	e.groupVal, e.hostVal = e.inv.groupsValue(), e.inv.hostsValue()
	stepObjs := map[string]cty.Value{}
	for _, s := range p.Steps {
		stepObjs[s.Name] = cty.ObjectVal(map[string]cty.Value{
			"name":   cty.StringVal(s.Name),
			"action": cty.StringVal(s.ActionID),
		})
	}
	e.stepObj = cty.ObjectVal(stepObjs)

	diags := e.variables()
	diags = append(diags, e.evalLocals()...)
	diags = append(diags, e.steps()...)
	diags = e.secrets.redact(diags)
	diags = tidyDiagnostics(diags)
	return e.res, diags
}

// scope returns the evaluation context for locals and steps.
func (e *evaluator) scope() *hcl.EvalContext {
	if e.ctx == nil {
		e.ctx = &hcl.EvalContext{
			Variables: map[string]cty.Value{
				rootVar:   cty.ObjectVal(e.vars),
				rootLocal: cty.ObjectVal(e.locals),
				rootGroup: e.groupVal,
				rootHost:  e.hostVal,
				rootStep:  e.stepObj,
			},
			Functions: e.funcs,
		}
	}
	return e.ctx
}

// evalLocals evaluates the locals in dependency order. Locals that could
// not be evaluated are unknown, so that what uses them is still checked.
func (e *evaluator) evalLocals() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for name := range e.p.Locals {
		e.locals[name] = cty.DynamicVal
	}
	for _, name := range e.p.localOrder {
		l := e.p.Locals[name]
		v, ds, ok := e.eval(l.Expr, scopeLocals)
		diags = append(diags, ds...)
		if !ok {
			continue
		}
		e.locals[name] = v
		e.res.Locals[name] = v
		e.ctx = nil
	}
	return diags
}

// eval evaluates expr after checking its references. ok is false when the
// value is not usable: an error was reported, or the expression has a bad
// reference that LoadDir already reported (and that is not reported twice).
// A value that is not usable is unknown.
func (e *evaluator) eval(expr hcl.Expression, scope refScope) (v cty.Value, diags hcl.Diagnostics, ok bool) {
	if _, ds := e.p.staticRefs(expr, scope); ds.HasErrors() {
		return cty.DynamicVal, nil, false
	}
	if ds := e.inv.checkRefs(expr); ds.HasErrors() {
		return cty.DynamicVal, ds, false
	}
	v, diags = expr.Value(e.scope())
	if diags.HasErrors() {
		return cty.DynamicVal, diags, false
	}
	return v, diags, true
}
