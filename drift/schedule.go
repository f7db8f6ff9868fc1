package drift

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule says when cycles start.
type Schedule interface {
	// Next returns the first start after t.
	Next(t time.Time) time.Time
}

// cronParser reads standard five-field cron lines and descriptors
// (@hourly, @every 15m), as the playbook's drift block does.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads a cron line ("*/15 * * * *") or a descriptor
// ("@hourly", "@every 2s") in time zone loc (nil means UTC).
func ParseSchedule(spec string, loc *time.Location) (Schedule, error) {
	s := strings.TrimSpace(spec)
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		return nil, fmt.Errorf("schedule %q: give the time zone separately", spec)
	}
	sched, err := cronParser.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if loc == nil {
		loc = time.UTC
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		spec.Location = loc
	}
	return sched, nil
}

// Every returns a schedule that starts a cycle d after the previous one
// ended (whole seconds, at least one).
func Every(d time.Duration) Schedule { return cron.Every(d) }
