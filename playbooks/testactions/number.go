package testactions

import (
	"errors"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// toNumber converts a number or a numeric string.
func toNumber(v cty.Value) (*big.Float, error) {
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		return nil, errors.New("not a number")
	}
	return n.AsBigFloat(), nil
}
