package ldaptest

import "testing"

func TestContractLab(t *testing.T) {
	RunContract(t, StartLab(t))
}
