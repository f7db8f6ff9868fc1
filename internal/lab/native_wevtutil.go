package lab

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Win32 errors wevtutil reports (Microsoft Learn, System Error Codes
// 15000-15999).
const (
	errEvtInvalidQuery    = 15001 // ERROR_EVT_INVALID_QUERY
	errEvtChannelNotFound = 15007 // ERROR_EVT_CHANNEL_NOT_FOUND
)

// wevtutil answers "wevtutil qe <log> [/q:<XPath>] [/c:<n>] [/rd:true]
// [/f:xml|text|RenderedXml] [/e:<root>]" from the host's event logs.
// Events are printed one per line as <Event> elements of the Windows
// event schema (Microsoft Learn, "Event Schema": System with Provider,
// EventID, Level, TimeCreated, EventRecordID, Channel, Computer;
// EventData with Data elements, named or not), or as text blocks
// *(unverified layout)*. The query understands the XPath forms event
// filters use: *[System[...]] with Provider[@Name='...'], EventID=<n>,
// Level=<n> and TimeCreated[timediff(@SystemTime) <= <ms>], joined by
// "and" and "or" (alternatives of one kind are or-ed, kinds are and-ed);
// any other query is refused as Windows refuses an invalid one.
func (o *Org) wevtutil(h *Host, argv []string) (stdout, stderr string, code int) {
	if len(argv) < 2 || !(strings.EqualFold(argv[0], "qe") || strings.EqualFold(argv[0], "query-events")) {
		return "", o.wevtutilText("failed", o.locale.win32Message(87)) + "\r\n", 87
	}
	opts := map[string]string{}
	for _, a := range argv[2:] {
		if !strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "-") {
			return "", o.wevtutilText("failed", o.locale.win32Message(87)) + "\r\n", 87
		}
		name, value, _ := strings.Cut(a[1:], ":")
		opts[strings.ToLower(name)] = value
	}
	filter, ok := parseEventQuery(opts["q"])
	if !ok {
		return "", o.wevtutilText("failed", o.locale.win32Message(errEvtInvalidQuery)) + "\r\n", errEvtInvalidQuery
	}
	count := -1
	if c, ok := opts["c"]; ok {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return "", o.wevtutilText("failed", o.locale.win32Message(87)) + "\r\n", 87
		}
		count = n
	}
	newestFirst := strings.EqualFold(opts["rd"], "true")
	format := strings.ToLower(opts["f"])
	if format == "" {
		format = "xml"
	}
	if format != "xml" && format != "text" && format != "renderedxml" {
		return "", o.wevtutilText("failed", o.locale.win32Message(87)) + "\r\n", 87
	}

	h.mu.Lock()
	list, exists := h.events.logs[strings.ToLower(argv[1])]
	list = slices.Clone(list)
	h.mu.Unlock()
	if !exists {
		return "", o.wevtutilText("failed", o.locale.win32Message(errEvtChannelNotFound)) + "\r\n", errEvtChannelNotFound
	}
	if newestFirst {
		slices.Reverse(list)
	}
	now := h.Now()
	var b strings.Builder
	if root := opts["e"]; root != "" && format != "text" {
		fmt.Fprintf(&b, "<%s>", root)
	}
	n := 0
	for _, e := range list {
		if count >= 0 && n == count {
			break
		}
		if !filter.matches(e, now) {
			continue
		}
		if format == "text" {
			b.WriteString(o.eventText(h, n, e))
		} else {
			e.Message = o.eventMessage(e)
			b.WriteString(eventXML(h, e, format == "renderedxml", o.locale))
			b.WriteString("\r\n")
		}
		n++
	}
	if root := opts["e"]; root != "" && format != "text" {
		fmt.Fprintf(&b, "</%s>\r\n", root)
	}
	return b.String(), "", 0
}

// wevtutilText is one of wevtutil's sentences in the organisation's
// language.
func (o *Org) wevtutilText(id string, args ...any) string {
	return o.locale.text(toolWevtutil, id, args...)
}

// eventQuery is the part of an XPath event query the lab understands.
type eventQuery struct {
	providers []string
	ids       []int
	levels    []int
	within    time.Duration // 0: any age
}

var (
	queryProvider = regexp.MustCompile(`Provider\[@Name=['"]([^'"]+)['"]\]`)
	queryID       = regexp.MustCompile(`EventID\s*=\s*([0-9]+)`)
	queryLevel    = regexp.MustCompile(`Level\s*=\s*([0-9]+)`)
	queryAge      = regexp.MustCompile(`TimeCreated\[timediff\(@SystemTime\)\s*<=\s*([0-9]+)\]`)
	// queryRest is what may remain of a query once the parts above are
	// taken out.
	queryRest = regexp.MustCompile(`^(?:\s|\*|\[|\]|\(|\)|System|and|or)*$`)
)

// parseEventQuery reads an XPath event query; "" and "*" match every
// event.
func parseEventQuery(q string) (eventQuery, bool) {
	var f eventQuery
	rest := q
	for _, m := range queryProvider.FindAllStringSubmatch(q, -1) {
		f.providers = append(f.providers, m[1])
	}
	rest = queryProvider.ReplaceAllString(rest, "")
	for _, m := range queryID.FindAllStringSubmatch(rest, -1) {
		n, _ := strconv.Atoi(m[1])
		f.ids = append(f.ids, n)
	}
	rest = queryID.ReplaceAllString(rest, "")
	for _, m := range queryLevel.FindAllStringSubmatch(rest, -1) {
		n, _ := strconv.Atoi(m[1])
		f.levels = append(f.levels, n)
	}
	rest = queryLevel.ReplaceAllString(rest, "")
	if m := queryAge.FindStringSubmatch(rest); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return f, false
		}
		f.within = time.Duration(ms) * time.Millisecond
		rest = queryAge.ReplaceAllString(rest, "")
	}
	return f, queryRest.MatchString(rest)
}

func (f eventQuery) matches(e Event, now time.Time) bool {
	if len(f.providers) > 0 && !slices.ContainsFunc(f.providers, func(p string) bool { return strings.EqualFold(p, e.Provider) }) {
		return false
	}
	if len(f.ids) > 0 && !slices.Contains(f.ids, e.ID) {
		return false
	}
	if len(f.levels) > 0 && !slices.Contains(f.levels, eventLevel(e.Level)) {
		return false
	}
	return f.within == 0 || now.Sub(e.Time) <= f.within
}

// eventLevel is the level number of the event schema: 2 error, 3 warning,
// 4 information.
func eventLevel(level string) int {
	switch level {
	case LevelError:
		return 2
	case LevelWarning:
		return 3
	}
	return 4
}

// eventXML renders one event as an <Event> element of the event schema;
// rendered adds the RenderingInfo with its message.
func eventXML(h *Host, e Event, rendered bool, l Locale) string {
	var b strings.Builder
	esc := func(s string) string {
		var x strings.Builder
		_ = xml.EscapeText(&x, []byte(s))
		return strings.ReplaceAll(x.String(), "'", "&apos;")
	}
	b.WriteString("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>")
	fmt.Fprintf(&b, "<Provider Name='%s'/><EventID>%d</EventID><Version>0</Version><Level>%d</Level>", esc(e.Provider), e.ID, eventLevel(e.Level))
	fmt.Fprintf(&b, "<Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='%s'/>", e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	fmt.Fprintf(&b, "<EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/><Channel>%s</Channel><Computer>%s</Computer><Security/></System>", e.RecordID, esc(e.Log), esc(h.FQDN))
	b.WriteString("<EventData>")
	for _, name := range dataNames(e.Data) {
		if isParam(name) {
			fmt.Fprintf(&b, "<Data>%s</Data>", esc(e.Data[name]))
			continue
		}
		fmt.Fprintf(&b, "<Data Name='%s'>%s</Data>", esc(name), esc(e.Data[name]))
	}
	b.WriteString("</EventData>")
	if rendered {
		fmt.Fprintf(&b, "<RenderingInfo Culture='%s'><Message>%s</Message><Level>%s</Level></RenderingInfo>", l, esc(e.Message), esc(l.levelName(e.Level)))
	}
	b.WriteString("</Event>")
	return b.String()
}

// eventText renders one event as wevtutil /f:text prints it.
func (o *Org) eventText(h *Host, n int, e Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\r\n", o.wevtutilText("event", n))
	for _, f := range []struct{ id, value string }{
		{"logName", e.Log}, {"source", e.Provider}, {"date", e.Time.UTC().Format("2006-01-02T15:04:05.000")},
		{"eventID", strconv.Itoa(e.ID)}, {"task", "N/A"}, {"level", o.locale.levelName(e.Level)}, {"opcode", "N/A"},
		{"keyword", "N/A"}, {"user", "N/A"}, {"userName", "N/A"}, {"computer", h.FQDN},
	} {
		fmt.Fprintf(&b, "  %s: %s\r\n", o.wevtutilText(f.id), f.value)
	}
	fmt.Fprintf(&b, "  %s: \r\n%s\r\n\r\n", o.wevtutilText("description"), strings.ReplaceAll(strings.ReplaceAll(o.eventMessage(e), "\r\n", "\n"), "\n", "\r\n"))
	return b.String()
}

// levelName is an event level's display name in the locale.
func (l Locale) levelName(level string) string {
	return l.text(toolWevtutil, "level."+strings.ToLower(level))
}

// dataNames lists an event's data names: unnamed ones (param1, param2,
// ...) in their order, then the named ones by name.
func dataNames(data map[string]string) []string {
	names := make([]string, 0, len(data))
	for k := range data {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		pa, pb := isParam(a), isParam(b)
		switch {
		case pa && pb:
			na, _ := strconv.Atoi(a[len("param"):])
			nb, _ := strconv.Atoi(b[len("param"):])
			return na - nb
		case pa:
			return -1
		case pb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

// isParam reports whether a data name stands for an unnamed insertion
// string (param1, param2, ...), as events.query names them.
func isParam(name string) bool {
	n, ok := strings.CutPrefix(name, "param")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}
