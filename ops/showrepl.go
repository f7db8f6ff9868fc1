package ops

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// ReplLink is one row of repadmin /showrepl /csv: an inbound replication
// link of one naming context, or an error row saying that a DC could not be
// read.
type ReplLink struct {
	// Row is the row's kind: "showrepl_INFO" for a link, "showrepl_ERROR"
	// for a DC repadmin could not read. The kinds are identifiers, not
	// translated text.
	Row             string `json:"row"`
	DestinationSite string `json:"destination_site"`
	DestinationDSA  string `json:"destination_dsa"`
	NamingContext   string `json:"naming_context"`
	SourceSite      string `json:"source_site"`
	SourceDSA       string `json:"source_dsa"`
	Transport       string `json:"transport"`
	// Failures is the number of consecutive failures.
	Failures int `json:"failures"`
	// LastFailureText and LastSuccessText are the times as printed, in the
	// DC's local time; "0" means never.
	LastFailureText string `json:"last_failure_text"`
	LastSuccessText string `json:"last_success_text"`
	// LastFailure and LastSuccess are those times read as wall-clock times
	// (in time.UTC, since repadmin prints no zone), zero when never or when
	// the text is in a format not recognised.
	LastFailure time.Time `json:"last_failure"`
	LastSuccess time.Time `json:"last_success"`
	// Status is the Win32 status of the last attempt: 0 is success, 1722
	// "the RPC server is unavailable", 8453 "replication access was denied".
	Status int `json:"status"`
	// Message is an error row's text, in the DC's language: for display
	// only.
	Message string `json:"message,omitempty"`
}

// OK reports whether the row is a link whose last attempt succeeded.
func (l ReplLink) OK() bool { return l.Status == 0 && !l.Unread() }

// Unread reports whether the row is an error row: repadmin could not read
// the DC it names (DestinationSite, DestinationDSA), so nothing is known of
// its links.
func (l ReplLink) Unread() bool { return l.Row == showreplError }

// The row kinds of repadmin /showrepl /csv.
const (
	showreplColumnsRow = "showrepl_COLUMNS"
	showreplInfo       = "showrepl_INFO"
	showreplError      = "showrepl_ERROR"
)

// showreplColumns are the ten columns of /showrepl /csv after the row kind.
var showreplColumns = []string{
	"Destination DSA Site", "Destination DSA", "Naming Context", "Source DSA Site", "Source DSA",
	"Transport Type", "Number of Failures", "Last Failure Time", "Last Success Time", "Last Failure Status",
}

// replTimeLayouts are the forms repadmin prints times in, by locale.
var replTimeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006/01/02 15:04:05",
	"1/2/2006 3:04:05 PM",
	"02.01.2006 15:04:05",
	"02/01/2006 15:04:05",
	"2006-01-02T15:04:05",
}

// ParseShowReplCSV reads the output of
//
//	repadmin /showrepl <DC> /csv
//
// Lines before the header are banners ("repadmin running command /showrepl
// against full DC dc01.corp.example.com") and are skipped. The header
// starts with "showrepl_COLUMNS" and names the columns
//
//	showrepl_COLUMNS,Destination DSA Site,Destination DSA,Naming Context,Source DSA Site,Source DSA,Transport Type,Number of Failures,Last Failure Time,Last Success Time,Last Failure Status
//
// and each row after it starts with "showrepl_INFO":
//
//	showrepl_INFO,HQ,DC01,"DC=corp,DC=example,DC=com",HQ,DC02,RPC,0,0,2026-11-27 08:20:11,0
//
// A DC that repadmin could not read gets an error row instead, its site,
// its name and the message:
//
//	showrepl_ERROR,HQ,DC02,"LDAP error 81 (Server Down) Win32 Err 58."
//
// Fields are CSV, quoted when they hold commas (naming contexts do).
// Columns are found by their header names, or by position when a name is
// not recognised (repadmin translates the names on a localized Windows; the
// row kinds, numbers and naming contexts are not translated). The number
// of failures and the status are decimal (a "0x" hexadecimal status is
// read too); status 0 means success. Times are kept as printed and also
// parsed when in a known layout; "0" means never. Other lines after the
// header (blank lines, messages) are skipped, except that a showrepl_INFO
// row whose numbers do not read is a *FormatError.
//
// It returns a *FormatError when there is no header, e.g. when repadmin
// failed before printing any row.
func ParseShowReplCSV(text string) ([]ReplLink, error) {
	const command = "repadmin /showrepl /csv"
	lines := outputLines(text)
	header := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), showreplColumnsRow) {
			header = i
			break
		}
	}
	if header < 0 {
		return nil, &FormatError{Command: command, Reason: "no showrepl_COLUMNS header"}
	}
	r := csv.NewReader(strings.NewReader(strings.Join(lines[header:], "\n")))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	names, err := r.Read()
	if err != nil {
		return nil, &FormatError{Command: command, Line: header + 1, Reason: "header does not read as CSV"}
	}
	index := columnIndex(names)
	links := []ReplLink{}
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = header + pe.Line
			}
			return nil, &FormatError{Command: command, Line: line, Reason: "row does not read as CSV"}
		}
		line, _ := r.FieldPos(0)
		line += header
		kind := strings.TrimSpace(record[0])
		if kind == showreplError {
			links = append(links, readReplError(record))
			continue
		}
		if kind != showreplInfo {
			continue
		}
		link, err := readReplLink(record, index)
		if err != nil {
			return nil, &FormatError{Command: command, Line: line, Reason: err.Error()}
		}
		links = append(links, link)
	}
	return links, nil
}

// columnIndex maps each of the ten known columns to its field index.
func columnIndex(names []string) []int {
	index := make([]int, len(showreplColumns))
	for i, want := range showreplColumns {
		index[i] = i + 1
		for j, name := range names {
			if strings.EqualFold(strings.TrimSpace(name), want) {
				index[i] = j
				break
			}
		}
	}
	return index
}

// readReplError reads an error row: its site, its server and the message,
// which repadmin does not always quote (its commas then split it).
func readReplError(record []string) ReplLink {
	field := func(i int) string {
		if i < len(record) {
			return strings.TrimSpace(record[i])
		}
		return ""
	}
	msg := ""
	if len(record) > 3 {
		msg = strings.TrimSpace(strings.Join(record[3:], ","))
	}
	return ReplLink{Row: showreplError, DestinationSite: field(1), DestinationDSA: field(2), Message: msg}
}

func readReplLink(record []string, index []int) (ReplLink, error) {
	field := func(column int) string {
		if i := index[column]; i < len(record) {
			return strings.TrimSpace(record[i])
		}
		return ""
	}
	link := ReplLink{
		Row:             showreplInfo,
		DestinationSite: field(0),
		DestinationDSA:  field(1),
		NamingContext:   field(2),
		SourceSite:      field(3),
		SourceDSA:       field(4),
		Transport:       field(5),
		LastFailureText: field(7),
		LastSuccessText: field(8),
	}
	link.LastFailure = parseReplTime(link.LastFailureText)
	link.LastSuccess = parseReplTime(link.LastSuccessText)
	failures, errFailures := parseReplNumber(field(6))
	status, errStatus := parseReplNumber(field(9))
	if errFailures != nil {
		return ReplLink{}, errors.New("number of failures is not a number: " + quoteLine(field(6)))
	}
	if errStatus != nil {
		return ReplLink{}, errors.New("last failure status is not a number: " + quoteLine(field(9)))
	}
	link.Failures, link.Status = failures, status
	return link, nil
}

// parseReplNumber reads a decimal or 0x-hexadecimal count or status.
func parseReplNumber(s string) (int, error) {
	if hex, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err := strconv.ParseUint(hex, 16, 32)
		return int(n), err
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err
}

// parseReplTime reads a time in one of the known layouts, or returns zero.
func parseReplTime(s string) time.Time {
	if s == "" || s == "0" {
		return time.Time{}
	}
	for _, layout := range replTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
