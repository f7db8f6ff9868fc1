package lang

import (
	"errors"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// errSensitiveArgument replaces the message of a function that failed on a
// sensitive argument: cty's functions quote their arguments in errors
// (tonumber(env("PW")) would say `cannot convert "hunter2" to number`).
var errSensitiveArgument = errors.New("the function failed on a sensitive value; its message is hidden so the value stays secret")

// hideSensitiveErrors wraps f so that when any argument is marked sensitive
// and f fails, the error names only the argument's position, never the
// value. Results keep their marks: f itself unmarks and re-marks them.
func hideSensitiveErrors(f function.Function) function.Function {
	open := func(p function.Parameter) function.Parameter {
		p.AllowMarked = true
		p.AllowUnknown = true
		p.AllowNull = true
		p.AllowDynamicType = true
		return p
	}
	params := f.Params()
	for i := range params {
		params[i] = open(params[i])
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		p := open(*vp)
		varParam = &p
	}
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			plain := make([]cty.Value, len(args))
			for i, a := range args {
				plain[i], _ = a.UnmarkDeep()
			}
			ty, err := f.ReturnTypeForValues(plain)
			return ty, hideIfSensitive(err, args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			return v, hideIfSensitive(err, args)
		},
	})
}

func hideIfSensitive(err error, args []cty.Value) error {
	if err == nil {
		return nil
	}
	for i, a := range args {
		if IsSensitive(a) {
			var ae function.ArgError
			if errors.As(err, &ae) {
				return function.NewArgError(ae.Index, errSensitiveArgument)
			}
			return function.NewArgError(i, errSensitiveArgument)
		}
	}
	return err
}
