package lab

import (
	"testing"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// TestBatchTimesItsSlowItems runs a clock read and a slow repadmin read in
// one batch on a DC, as a plan does: the items run in order and the slow
// one takes its time; the batch reports when each ran, and the clock's
// reading lies inside the bracket those figures give, which is narrow
// although the command was slow. An op made instant again is instant,
// alone as in a batch.
func TestBatchTimesItsSlowItems(t *testing.T) {
	const slow = 400 * time.Millisecond
	l := startLab(t, KB979174(), func(o *Options) { o.OpDurations = map[string]time.Duration{ops.ReplShow: slow} })
	dc := mustHost(t, l, "dc01")
	c := client(t, l, "dc01", false)
	items := []ops.BatchItem{
		{ID: "clock", Script: script(ops.TimeRead).Text, Args: ops.TimeReadArgs{}},
		{ID: "links", Script: script(ops.ReplShow).Text, Args: ops.ReplShowArgs{}},
		{ID: "bogus", Script: "# rectify:op bogus v1\n", Args: map[string]any{}},
	}
	var res struct {
		Results []struct {
			ID     string `json:"id"`
			OK     bool   `json:"ok"`
			Output ops.TimeReading
			Before int64 `json:"before_us"`
			After  int64 `json:"after_us"`
		} `json:"results"`
	}
	sent := time.Now()
	runOp(t, c, ops.Batch, ops.BatchArgs{Items: items}, &res)
	received := time.Now()
	if len(res.Results) != 3 || res.Results[0].ID != "clock" || !res.Results[0].OK || !res.Results[1].OK || res.Results[2].OK {
		t.Fatalf("batch: %+v", res)
	}
	clock, links, bogus := res.Results[0], res.Results[1], res.Results[2]
	if links.Before < clock.Before || bogus.Before < links.Before+slow.Microseconds() {
		t.Errorf("the items did not run in order, each in its time: started at %dµs, %dµs, %dµs", clock.Before, links.Before, bogus.Before)
	}
	if clock.After-links.After < slow.Microseconds() || bogus.After < 0 || bogus.After > links.After {
		t.Errorf("the time after each item (%dµs, %dµs, %dµs) does not hold the slow read after the clock", clock.After, links.After, bogus.After)
	}
	from, to := ops.ItemBracket(sent, received, clock.Before, clock.After)
	at, err := time.Parse(time.RFC3339Nano, clock.Output.UTC)
	if err != nil {
		t.Fatal(err)
	}
	at = at.Add(-dc.ClockOffset())
	if at.Before(from) || at.After(to) {
		t.Errorf("the clock was read at %v, outside its bracket [%v, %v]", at, from, to)
	}
	if w := to.Sub(from); w >= slow/2 || received.Sub(sent) < slow {
		t.Errorf("the clock read is bracketed by %v in a command of %v: the slow read after it is not left out", w, received.Sub(sent))
	}

	dc.SetOpDuration(ops.ReplShow, 0)
	var out ops.CommandOutput
	start := time.Now()
	runOp(t, c, ops.ReplShow, ops.ReplShowArgs{}, &out)
	if took := time.Since(start); took >= slow {
		t.Errorf("repl.show made instant again took %v", took)
	}
	dc.SetOpDuration(ops.ReplShow, slow)
	start = time.Now()
	runOp(t, c, ops.ReplShow, ops.ReplShowArgs{}, &out)
	if took := time.Since(start); took < slow {
		t.Errorf("repl.show run alone took %v, less than its %v", took, slow)
	}
}
