package wsman

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads an xs:duration as WS-Management uses it for
// OperationTimeout ("PT60S", "PT20.000S", "PT1M30S", "P0DT0H1M0S"). Years and
// months are refused: their length is not fixed.
func parseDuration(s string) (time.Duration, error) {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("duration %q: want P...", s)
	}
	datePart, timePart, hasTime := strings.Cut(rest, "T")
	if hasTime && timePart == "" {
		return 0, fmt.Errorf("duration %q: empty time part", s)
	}
	var total float64
	add := func(part string, units map[byte]float64) error {
		for part != "" {
			i := strings.IndexAny(part, "YMWDHS")
			if i <= 0 {
				return errors.New("malformed component")
			}
			unit, ok := units[part[i]]
			if !ok {
				return fmt.Errorf("unit %c not allowed here", part[i])
			}
			n, err := strconv.ParseFloat(part[:i], 64)
			if err != nil || n < 0 {
				return errors.New("malformed number")
			}
			total += n * unit
			part = part[i+1:]
		}
		return nil
	}
	if err := add(datePart, map[byte]float64{'D': 86400, 'W': 7 * 86400}); err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	if err := add(timePart, map[byte]float64{'H': 3600, 'M': 60, 'S': 1}); err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	if total > float64(365*86400) {
		return 0, fmt.Errorf("duration %q: too long", s)
	}
	return time.Duration(total * float64(time.Second)), nil
}

// formatDuration writes d the way Windows writes shell timeouts
// ("PT7200.000S").
func formatDuration(d time.Duration) string {
	return fmt.Sprintf("PT%.3fS", d.Seconds())
}
