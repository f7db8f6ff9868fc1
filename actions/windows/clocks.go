package windows

import (
	"fmt"
	"sort"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// reading is one host's clock, as its offset from rectify's own clock.
type reading struct {
	host   string
	offset time.Duration
	// uncertainty is half the read's bracket: the host read its clock
	// somewhere between the result's Sent and Received (the command's
	// round trip, narrowed to this read by its batch's timing), so the
	// offset taken at their midpoint is off by at most this much.
	uncertainty time.Duration
	t           ops.TimeReading
}

// readClock reads the time.read result of probe, which should be a timed
// probe (ShellProbe.Alone) so that its bracket is its own and not that of
// the slow reads batched with it.
func readClock(r actions.Results, probe, host string) (reading, error) {
	res, ok := r[probe]
	if !ok {
		return reading{}, fmt.Errorf("read the clock of %s: no result for probe %q", host, probe)
	}
	return clockOf(res, host)
}

// clockOf reads one host's time.read result.
func clockOf(res actions.Result, host string) (reading, error) {
	var t ops.TimeReading
	if err := res.Decode(&t); err != nil {
		return reading{}, fmt.Errorf("read the clock of %s: %w", host, err)
	}
	at, err := time.Parse(time.RFC3339Nano, t.UTC)
	if err != nil {
		return reading{}, fmt.Errorf("%s reported an unreadable time %q", host, t.UTC)
	}
	half := res.Received.Sub(res.Sent) / 2
	if half < 0 {
		half = 0
	}
	mid := res.Sent.Add(half)
	return reading{host: host, offset: at.Sub(mid), uncertainty: half, t: t}, nil
}

// verdict is how one clock compares with a bound.
type verdict int

const (
	within verdict = iota // certainly within the bound
	beyond                // certainly beyond it
	unsure                // the uncertainty straddles the bound
)

// judge compares a distance d, uncertain by u either way, with bound.
func judge(d, u, bound time.Duration) verdict {
	d = abs(d)
	switch {
	case d-u > bound:
		return beyond
	case d+u <= bound:
		return within
	}
	return unsure
}

// spread is the widest pair of clocks among readings: max - min.
type spread struct {
	low, high   reading
	width       time.Duration
	uncertainty time.Duration
}

func widest(rs []reading) (spread, bool) {
	if len(rs) < 2 {
		return spread{}, false
	}
	// Offsets are compared to the second, the precision a plan shows
	// them in, and of equal ones the first read is kept: readings a few
	// milliseconds apart name the same pair in every plan.
	sec := func(r reading) time.Duration { return r.offset.Round(time.Second) }
	low, high := rs[0], rs[0]
	for _, r := range rs[1:] {
		if sec(r) < sec(low) {
			low = r
		}
		if sec(r) > sec(high) {
			high = r
		}
	}
	return spread{low: low, high: high, width: high.offset - low.offset, uncertainty: low.uncertainty + high.uncertainty}, true
}

// reference is the domain's time among the DCs read: the PDC emulator's
// clock when it is among them (the root of the domain hierarchy), else the
// median DC's.
func reference(dcs []reading, pdc map[string]bool) reading {
	for _, d := range dcs {
		if pdc[d.host] {
			return d
		}
	}
	sorted := append([]reading(nil), dcs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].offset < sorted[j].offset })
	return sorted[len(sorted)/2]
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// round keeps a duration to whole seconds for display.
func round(d time.Duration) string {
	return d.Round(time.Second).String()
}

// roundMS keeps a duration to whole milliseconds for display.
func roundMS(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}
