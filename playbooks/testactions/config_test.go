package testactions

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

func configOf(attrs map[string]cty.Value) actions.Config {
	return actions.NewConfig(cty.ObjectVal(attrs))
}
