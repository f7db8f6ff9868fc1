package playbooks

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

// runCheck calls an attribute's Check. A panic is a bug in the action; it
// comes back as an error so that one faulty action cannot crash the
// validation of a whole playbook.
func runCheck(check func(cty.Value) string, v cty.Value) (problem string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the check panicked: %v", r)
		}
	}()
	return check(v), nil
}

// runValidator calls an action's ValidateConfig, turning a panic into an
// error like runCheck.
func runValidator(v actions.Validator, cfg actions.Config) (probs []actions.ConfigProblem, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ValidateConfig panicked: %v", r)
		}
	}()
	return v.ValidateConfig(cfg), nil
}
