package playbooks

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/robfig/cron/v3"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/plans"
)

var playbookSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "title"},
		{Name: "kb"},
		{Name: "description"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "window"},
		{Type: "rollout"},
		{Type: "drift"},
		{Type: "approvals"},
	},
}

var windowSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "start", Required: true},
		{Name: "duration", Required: true},
		{Name: "timezone"},
	},
}

var rolloutSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "serial"},
		{Name: "max_fail"},
	},
}

var driftSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "schedule", Required: true},
		{Name: "mode"},
		{Name: "timezone"},
	},
}

// decodePlaybook decodes the playbook block.
func (d *decoder) decodePlaybook(b *hcl.Block) hcl.Diagnostics {
	p := d.p
	p.Name = b.Labels[0]
	p.DeclRange = b.DefRange
	content, diags := b.Body.Content(playbookSchema)
	for _, f := range []struct {
		name string
		dst  *string
	}{{"title", &p.Title}, {"kb", &p.KB}, {"description", &p.Description}} {
		name, dst := f.name, f.dst
		if attr, ok := content.Attributes[name]; ok {
			s, ds := staticString(attr)
			diags = append(diags, ds...)
			*dst = s
		}
	}
	var rollouts, drifts, approvals []*hcl.Block
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "window":
			w, ds := decodeWindow(blk)
			diags = append(diags, ds...)
			p.Windows = append(p.Windows, w)
		case "rollout":
			rollouts = append(rollouts, blk)
		case "drift":
			drifts = append(drifts, blk)
		case "approvals":
			approvals = append(approvals, blk)
		}
	}
	if len(rollouts) > 0 {
		r, ds := decodeRollout(rollouts[0])
		diags = append(diags, ds...)
		p.Rollout = r
		diags = append(diags, duplicateBlocks(rollouts)...)
	}
	if len(approvals) > 0 {
		ap, ds := decodeApprovals(approvals[0])
		diags = append(diags, ds...)
		p.Approvals = ap
		diags = append(diags, duplicateBlocks(approvals)...)
	}
	if len(drifts) > 0 {
		dr, ds := decodeDrift(drifts[0])
		diags = append(diags, ds...)
		p.Drift = dr
		diags = append(diags, duplicateBlocks(drifts)...)
	}
	return diags
}

// duplicateBlocks reports every block after the first of a kind that may
// appear only once.
func duplicateBlocks(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks[1:] {
		rng := b.DefRange
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s block", b.Type),
			Detail:   fmt.Sprintf("Only one %s block is allowed; the first is at %s.", b.Type, blocks[0].DefRange),
			Subject:  &rng,
		})
	}
	return diags
}

func decodeWindow(b *hcl.Block) (*Window, hcl.Diagnostics) {
	w := &Window{DeclRange: b.DefRange, Location: time.UTC}
	content, diags := b.Body.Content(windowSchema)
	if attr, ok := content.Attributes["timezone"]; ok {
		loc, ds := decodeTimezone(attr)
		diags = append(diags, ds...)
		if loc != nil {
			w.Location = loc
		}
	}
	if attr, ok := content.Attributes["start"]; ok {
		w.StartRange = attr.Expr.Range()
		s, ds := staticString(attr)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			w.Start = s
			if _, err := plans.ParseWindowStart(s); err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid cron expression",
					Detail:   fmt.Sprintf("The window start must be a cron expression of five fields (minute hour day-of-month month day-of-week), such as \"0 22 * * SAT\": %s.", err),
					Subject:  attr.Expr.Range().Ptr(),
				})
			}
		}
	}
	if attr, ok := content.Attributes["duration"]; ok {
		w.DurationRange = attr.Expr.Range()
		dur, ds := decodeDuration(attr)
		diags = append(diags, ds...)
		if !ds.HasErrors() && dur == 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid duration",
				Detail:   "A change window must stay open for more than zero time.",
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
		w.Duration = dur
	}
	if !diags.HasErrors() {
		rule, err := plans.NewWindow(w.Start, w.Duration, w.Location)
		if err != nil {
			rng := b.DefRange
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid change window", Detail: err.Error() + ".", Subject: &rng})
		}
		w.Rule = rule
	}
	return w, diags
}

// decodeTimezone decodes an IANA time zone name; nil after an error.
func decodeTimezone(attr *hcl.Attribute) (*time.Location, hcl.Diagnostics) {
	tz, diags := staticString(attr)
	if diags.HasErrors() {
		return nil, diags
	}
	loc, err := loadLocation(tz)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid time zone",
			Detail:   fmt.Sprintf("%q is not a time zone of the IANA database; write it like \"Europe/Berlin\" or \"UTC\".", tz),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return loc, diags
}

// loadLocation loads an IANA time zone, refusing the empty name and
// "Local", whose meaning depends on the machine.
func loadLocation(tz string) (*time.Location, error) {
	if tz == "" || tz == "Local" {
		return nil, fmt.Errorf("time zone %q depends on the machine", tz)
	}
	return time.LoadLocation(tz)
}

// parseDriftSchedule parses five cron fields or a descriptor, intervals
// (@every 15m) included.
func parseDriftSchedule(s string) (cron.Schedule, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "TZ=") || strings.HasPrefix(t, "CRON_TZ=") {
		return nil, fmt.Errorf("set the time zone with the timezone attribute")
	}
	return cronParser.Parse(t)
}

// decodeDuration decodes a duration string ("4h", "90m", "7d").
func decodeDuration(attr *hcl.Attribute) (time.Duration, hcl.Diagnostics) {
	s, diags := staticString(attr)
	if diags.HasErrors() {
		return 0, diags
	}
	dur, err := lang.ParseDuration(s)
	if err != nil {
		return 0, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("Invalid duration: %s.", err),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return dur, diags
}

func decodeRollout(b *hcl.Block) (*Rollout, hcl.Diagnostics) {
	r := &Rollout{DeclRange: b.DefRange}
	content, diags := b.Body.Content(rolloutSchema)
	if attr, ok := content.Attributes["serial"]; ok {
		a, ds := decodeAmount(attr, 1)
		diags = append(diags, ds...)
		r.Serial = a
	}
	if attr, ok := content.Attributes["max_fail"]; ok {
		a, ds := decodeAmount(attr, 0)
		diags = append(diags, ds...)
		r.MaxFail = a
	}
	return r, diags
}

// decodeAmount decodes a whole number of at least min, or a percentage
// string ("25%") between min and 100.
func decodeAmount(attr *hcl.Attribute, min int) (Amount, hcl.Diagnostics) {
	a := Amount{Range: attr.Expr.Range()}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return a, diags
	}
	if !v.IsWhollyKnown() {
		return a, append(diags, notConstant(attr))
	}
	bad := func(detail string) (Amount, hcl.Diagnostics) {
		return a, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + attr.Name,
			Detail:   detail,
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	switch {
	case v.IsNull():
		return bad(fmt.Sprintf("%s must be a whole number or a percentage such as \"25%%\".", attr.Name))
	case v.Type() == cty.Number:
		n, acc := v.AsBigFloat().Int64()
		if acc != big.Exact || n < int64(min) || n > 1<<30 {
			return bad(fmt.Sprintf("%s must be a whole number of at least %d.", attr.Name, min))
		}
		a.Value, a.Set = int(n), true
	case v.Type() == cty.String:
		s := strings.TrimSpace(v.AsString())
		num, isPct := strings.CutSuffix(s, "%")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil {
			return bad(fmt.Sprintf("%s must be a whole number or a percentage such as \"25%%\".", attr.Name))
		}
		if !isPct {
			if n < min || n > 1<<30 {
				return bad(fmt.Sprintf("%s must be a whole number of at least %d.", attr.Name, min))
			}
			a.Value, a.Set = n, true
			break
		}
		if n < min || n > 100 {
			return bad(fmt.Sprintf("A percentage for %s must lie between %d%% and 100%%.", attr.Name, min))
		}
		a.Value, a.Percent, a.Set = n, true, true
	default:
		return bad(fmt.Sprintf("%s must be a whole number or a percentage such as \"25%%\".", attr.Name))
	}
	return a, diags
}

func decodeDrift(b *hcl.Block) (*Drift, hcl.Diagnostics) {
	dr := &Drift{DeclRange: b.DefRange, Mode: DriftMonitor, Location: time.UTC}
	content, diags := b.Body.Content(driftSchema)
	if attr, ok := content.Attributes["timezone"]; ok {
		loc, ds := decodeTimezone(attr)
		diags = append(diags, ds...)
		if loc != nil {
			dr.Location = loc
		}
	}
	if attr, ok := content.Attributes["schedule"]; ok {
		dr.ScheduleRange = attr.Expr.Range()
		s, ds := staticString(attr)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			dr.Schedule = s
			sched, err := parseDriftSchedule(s)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid cron expression",
					Detail:   fmt.Sprintf("The drift schedule must be a cron expression of five fields such as \"*/15 * * * *\", or a descriptor such as \"@hourly\" or \"@every 15m\": %s.", err),
					Subject:  attr.Expr.Range().Ptr(),
				})
			} else {
				if spec, ok := sched.(*cron.SpecSchedule); ok {
					spec.Location = dr.Location
				}
				dr.schedule = sched
			}
		}
	}
	if attr, ok := content.Attributes["mode"]; ok {
		dr.ModeRange = attr.Expr.Range()
		s, ds := staticString(attr)
		diags = append(diags, ds...)
		switch DriftMode(s) {
		case DriftMonitor, DriftCorrect:
			dr.Mode = DriftMode(s)
		default:
			if !ds.HasErrors() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid drift mode",
					Detail:   `The drift mode must be "monitor" (report drift) or "correct" (apply corrections inside change windows).`,
					Subject:  attr.Expr.Range().Ptr(),
				})
			}
		}
	}
	return dr, diags
}
