package ops

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// StripchartSample is one sample of w32tm /stripchart: the host's clock
// offset from the target at the moment printed.
type StripchartSample struct {
	// Clock is the host's local time of day as w32tm printed it
	// ("08:23:44").
	Clock string `json:"clock"`
	// Offset is the target's time minus the host's: positive when the
	// host's clock is behind the target. Zero when the sample failed.
	Offset time.Duration `json:"offset"`
	// Error is the failure code as printed ("0x800705B4") when the sample
	// failed, and empty otherwise.
	Error string `json:"error,omitempty"`
}

// Failed reports whether the sample holds an error instead of an offset.
func (s StripchartSample) Failed() bool { return s.Error != "" }

var (
	// stripchartData is a /dataonly sample: "08:23:44, +00.0022650s",
	// with a comma as the decimal mark in some locales.
	stripchartData = regexp.MustCompile(`^\s*([0-9][0-9:.APMapm ]*?),\s*([+-]?[0-9]+(?:[.,][0-9]+)?)s\s*$`)
	// stripchartChart is a sample without /dataonly:
	// "08:23:44 d:+00.0312500s o:+00.0022650s  [ * ]".
	stripchartChart = regexp.MustCompile(`^\s*([0-9][0-9:.APMapm ]*?)\s*,?\s+d:[+-]?[0-9.,]+s\s+o:([+-]?[0-9]+(?:[.,][0-9]+)?)s`)
	// stripchartFailure is a failed sample: "08:23:44, error: 0x800705B4",
	// the word "error" possibly localized.
	stripchartFailure = regexp.MustCompile(`^\s*([0-9][0-9:.APMapm ]*?),?\s+[^\s0-9+,.:-][^:,]{0,40}:\s*(0x[0-9A-Fa-f]+)`)
)

// ParseStripchart reads the output of
//
//	w32tm /stripchart /computer:<dc> /samples:<N> /dataonly
//
// which looks like
//
//	Tracking dc01 [10.0.0.5:123].
//	Collecting 3 samples.
//	The current time is 27/11/2026 08:23:44.
//	08:23:44, +00.0022650s
//	08:23:46, -01,2500000s
//	08:23:48, error: 0x800705B4
//
// The banner lines ("Tracking", "Collecting", "The current time is") are
// localized and skipped, as is any other line that is not a sample. A
// sample is the local time of day, a comma, and either a signed offset in
// seconds with "." or "," as the decimal mark and an "s" suffix, or
// "error: 0x<hex>" (the word may be localized, as in "エラー: 0x800705B4"). Lines of the chart form printed without /dataonly
// ("08:23:44 d:+00.0312500s o:+00.0022650s [ * ]") are read too, taking
// the o: offset. The offset is the target's time minus the host's, so a
// positive offset means the host's clock is behind. Exit codes of w32tm are
// unreliable; this text is what tells.
//
// It returns a *FormatError when the output holds no sample at all, such as
// when w32tm could not reach the target ("The following error occurred:
// ...").
func ParseStripchart(text string) ([]StripchartSample, error) {
	var samples []StripchartSample
	firstOther, firstOtherLine := "", 0
	for i, line := range outputLines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if m := stripchartFailure.FindStringSubmatch(line); m != nil {
			samples = append(samples, StripchartSample{Clock: strings.TrimSpace(m[1]), Error: m[2]})
			continue
		}
		m := stripchartData.FindStringSubmatch(line)
		if m == nil {
			m = stripchartChart.FindStringSubmatch(line)
		}
		if m != nil {
			offset, ok := parseSeconds(m[2])
			if !ok {
				return nil, &FormatError{Command: "w32tm /stripchart", Line: i + 1, Reason: "offset out of range: " + quoteLine(m[2])}
			}
			samples = append(samples, StripchartSample{Clock: strings.TrimSpace(m[1]), Offset: offset})
			continue
		}
		if firstOther == "" {
			firstOther, firstOtherLine = line, i+1
		}
	}
	if len(samples) == 0 {
		reason := "no samples"
		if firstOther != "" {
			reason += "; line " + strconv.Itoa(firstOtherLine) + " reads " + quoteLine(firstOther)
		}
		return nil, &FormatError{Command: "w32tm /stripchart", Reason: reason}
	}
	return samples, nil
}

// parseSeconds reads a signed decimal number of seconds with "." or "," as
// the decimal mark, exactly to the nanosecond (w32tm prints 100 ns units).
func parseSeconds(s string) (time.Duration, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" {
		return 0, false
	}
	secs, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || secs > math.MaxInt64/int64(time.Second)-1 {
		return 0, false
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	var nanos int64
	if frac != "" {
		n, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return 0, false
		}
		nanos = n
	}
	d := time.Duration(secs)*time.Second + time.Duration(nanos)
	if neg {
		d = -d
	}
	return d, true
}
