package ldaptest

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/sambatest"
)

func TestContractSamba(t *testing.T) {
	RunContract(t, SambaTarget(sambatest.Shared(t)))
}
