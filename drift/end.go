package drift

// report logs every item of the ended cycle and how it ended, and hands
// its figures to the metrics.
func (c *CycleRun) report() {
	rep := &c.rep
	if rep.Finished.IsZero() {
		rep.Finished = c.w.clock.Now()
	}
	c.logItems()
	ev := c.log.Info()
	if !rep.OK {
		ev = c.log.Warn()
	}
	ev.Int64("run", rep.RunID).Str("outcome", rep.Outcome).Dur("duration", rep.Finished.Sub(rep.Started)).
		Int("pending", len(rep.Pending())).Int("corrected", rep.Count(Item.Corrected)).
		Int("flapping", rep.Count(func(it Item) bool { return it.Flapping })).Bool("window_open", rep.WindowOpen).
		Strs("errors", rep.Errors).Msg("drift cycle finished: " + rep.Summary)
	if rep.Skipped == "" {
		c.observe()
	}
}

// logItems logs every item of the cycle: a correction or a drift.
func (c *CycleRun) logItems() {
	for _, it := range c.rep.Items {
		ev := c.log.Info().Str("address", it.Address).Str("host", it.Host).Str("action", string(it.Action)).Str("object", it.Object)
		if !it.FirstSeen.IsZero() {
			ev = ev.Time("first_seen", it.FirstSeen)
		}
		if it.Flapping {
			ev = ev.Bool("flapping", true)
		}
		switch {
		case it.Result != "":
			ev.Str("result", string(it.Result)).Bool("converged", it.Converged).Str("error", it.Error).Msg("correction")
		default:
			ev.Str("held", it.Held).Msg("drift")
		}
	}
}

// observe hands the cycle's figures to the metrics.
func (c *CycleRun) observe() {
	m := c.w.cfg.Metrics
	if m == nil {
		return
	}
	rep := c.rep
	f := Figures{Playbook: rep.Playbook, Started: rep.Started, Duration: rep.Finished.Sub(rep.Started), Outcome: rep.Outcome}
	for _, it := range rep.Items {
		if it.Result != "" {
			f.Corrections = append(f.Corrections, CorrectionFigure{Step: it.Step, Host: it.Host, Result: string(it.Result)})
		}
		if !it.Corrected() {
			f.Pending = append(f.Pending, PendingFigure{Step: it.Step, Host: it.Host, Action: string(it.Action)})
		}
	}
	for _, r := range c.open {
		f.Drift = append(f.Drift, DriftFigure{Step: r.Step, Host: r.Host, FirstSeen: r.FirstSeen, Flapping: r.Flapping})
	}
	down := map[string]bool{}
	for _, h := range rep.HostErrors {
		down[h.Host] = true
	}
	for _, h := range c.hosts {
		f.Hosts = append(f.Hosts, HostFigure{Name: h, Up: !down[h]})
	}
	m.ObserveCycle(f)
}
