package discover

import (
	"context"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab"
)

// TestDiscoverPagesPastMaxPageSize discovers more Exchange servers than
// one page of AD's MaxPageSize (1000) holds: an unpaged search would stop
// at 1000 (the lab's directory caps unpaged searches as AD does).
func TestDiscoverPagesPastMaxPageSize(t *testing.T) {
	_, dir := startLab(t, lab.Generate(1050))
	start := time.Now()
	got, err := Discover(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("discovered %d hosts in %v", len(got.Hosts), time.Since(start).Round(time.Millisecond))
	if n := len(got.Exchange()); n != 1050 {
		t.Errorf("%d Exchange servers, want 1050", n)
	}
	names := map[string]bool{}
	for _, h := range got.Hosts {
		if names[h.Name] {
			t.Errorf("host name %s given twice", h.Name)
		}
		names[h.Name] = true
	}
}
