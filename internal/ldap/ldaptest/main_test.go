package ldaptest

import (
	"os"
	"testing"

	"github.com/rectifyhq/rectify/internal/sambatest"
)

func TestMain(m *testing.M) { os.Exit(sambatest.Main(m)) }
