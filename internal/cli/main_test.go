package cli

import (
	"os"
	"testing"

	"github.com/rectifyhq/rectify/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
