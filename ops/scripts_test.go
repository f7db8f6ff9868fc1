package ops

import (
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// opContracts pairs every library op with its argument and result types.
var opContracts = map[string]struct{ args, result any }{
	Batch:            {BatchArgs{}, BatchResult{}},
	RegistryGet:      {RegistryGetArgs{}, RegistryValue{}},
	RegistrySet:      {RegistrySetArgs{}, RegistryChange{}},
	RegistryDelete:   {RegistryDeleteArgs{}, RegistryChange{}},
	TimeRead:         {TimeReadArgs{}, TimeReading{}},
	TimeConfig:       {TimeConfigArgs{}, TimeKeeping{}},
	TimeResync:       {TimeResyncArgs{}, TimeResyncResult{}},
	TimeRestore:      {TimeRestoreArgs{}, TimeRestoreResult{}},
	NetReach:         {NetReachArgs{}, NetReachResult{}},
	ReplSyncAll:      {ReplSyncAllArgs{}, CommandOutput{}},
	ReplShow:         {ReplShowArgs{}, CommandOutput{}},
	ReplReplicate:    {ReplReplicateArgs{}, CommandOutput{}},
	EventsQuery:      {EventsQueryArgs{}, EventsQueryResult{}},
	ConnectorGet:     {ConnectorGetArgs{}, ConnectorGetResult{}},
	ConnectorAddAuth: {ConnectorAddAuthArgs{}, ConnectorChange{}},
	QueueGet:         {QueueGetArgs{}, QueueGetResult{}},
	QueueRetry:       {QueueRetryArgs{}, QueueRetryResult{}},
	TicketsList:      {TicketsListArgs{}, CommandOutput{}},
	TicketsPurge:     {TicketsPurgeArgs{}, CommandOutput{}},
	HostAddresses:    {HostAddressesArgs{}, HostAddressesResult{}},
}

func TestLibraryHoldsEveryOp(t *testing.T) {
	want := []string{Bootstrap}
	for op := range opContracts {
		want = append(want, op)
	}
	sort.Strings(want)
	got := Ops()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("library ops = %v, want %v", got, want)
	}
	if _, err := Lookup(UserScript); err == nil {
		t.Errorf("%s comes from a playbook, not from the library", UserScript)
	}
}

// jsonTags returns the JSON names of t's fields; with deep set it descends
// into struct, pointer and slice fields.
func jsonTags(t reflect.Type, deep bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var tags []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		tags = append(tags, name)
		if deep {
			tags = append(tags, jsonTags(f.Type, deep)...)
		}
	}
	return tags
}

// TestScriptsSpeakTheCatalog checks that each script reads every argument
// field by its JSON name and writes every result field by its JSON name,
// so a renamed json tag cannot silently break the wire format.
func TestScriptsSpeakTheCatalog(t *testing.T) {
	for op, c := range opContracts {
		text := MustScript(op).Text
		args := reflect.TypeOf(c.args)
		names := jsonTags(args, false)
		// Lists of arguments are read element by element.
		for i := range args.NumField() {
			if f := args.Field(i).Type; f.Kind() == reflect.Slice {
				names = append(names, jsonTags(f, false)...)
			}
		}
		for _, name := range names {
			if !regexp.MustCompile(`\.` + regexp.QuoteMeta(name) + `\b`).MatchString(text) {
				t.Errorf("%s: argument field %q is never read", op, name)
			}
		}
		for _, name := range jsonTags(reflect.TypeOf(c.result), true) {
			key := regexp.MustCompile(`(?m)(^|[\s{;.])` + regexp.QuoteMeta(name) + `\s*=[^=]|"` + regexp.QuoteMeta(name) + `":`)
			if !key.MatchString(text) {
				t.Errorf("%s: result field %q is never written", op, name)
			}
		}
	}
}

// forbidden are constructs that would turn data into code or hide output.
var forbidden = regexp.MustCompile(`(?i)\b(Invoke-Expression|iex|Invoke-Command|Start-Process|cmd(\.exe)?\s+/c|Add-Type\s+-TypeDefinition|Write-Host)\b`)

// TestScriptsFollowTheOpConvention checks the preamble every op shares: the
// one base64 parameter, errors that stop, the decoding of the arguments, and
// one JSON document printed at the end.
func TestScriptsFollowTheOpConvention(t *testing.T) {
	for op := range opContracts {
		text := MustScript(op).Text
		for _, want := range []string{
			"\nparam([Parameter(Mandatory=$true)][string]$ArgsBase64)\n$ErrorActionPreference = 'Stop'\n",
			"$a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgsBase64)) | ConvertFrom-Json\n",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the preamble lacks %q", op, want)
			}
		}
		if op != Batch && !strings.Contains(text, "ConvertTo-Json -Compress -Depth 6 -InputObject $Value") {
			t.Errorf("%s: no ConvertTo-Json -Compress -Depth 6 output", op)
		}
		if m := forbidden.FindString(text); m != "" {
			t.Errorf("%s: uses %q", op, m)
		}
		lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "ConvertTo-AsciiJson ") && !strings.HasPrefix(last, "Protect-Ascii ") {
			t.Errorf("%s: the last line %q does not print the result document", op, last)
		}
		if strings.Contains(text, "\r") {
			t.Errorf("%s: carriage returns in the script", op)
		}
	}
}

// functionDef matches a function definition from its first line to the
// closing brace at the start of a line.
var functionDef = regexp.MustCompile(`(?ms)^function ([A-Za-z-]+)\b.*?^}`)

// sourceFiles returns the text of every .ps1 file the library embeds (ops
// and helpers), by path.
func sourceFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(scriptFiles, scriptsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".ps1") {
			return err
		}
		b, err := fs.ReadFile(scriptFiles, p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestHelpersExistOnce checks that every PowerShell function is written in
// one source file only: a helper shared by ops lives in scripts/lib and is
// assembled into each op that uses it. No assembled script defines a
// function twice.
func TestHelpersExistOnce(t *testing.T) {
	where := map[string]string{}
	for file, text := range sourceFiles(t) {
		for _, m := range functionDef.FindAllStringSubmatch(text, -1) {
			if prev, ok := where[m[1]]; ok {
				t.Errorf("function %s is written in %s and in %s", m[1], prev, file)
			}
			where[m[1]] = file
		}
	}
	if len(where) == 0 {
		t.Fatal("no functions found")
	}
	for _, op := range Ops() {
		seen := map[string]bool{}
		for _, m := range functionDef.FindAllStringSubmatch(MustScript(op).Text, -1) {
			if seen[m[1]] {
				t.Errorf("%s: function %s is defined twice", op, m[1])
			}
			seen[m[1]] = true
		}
	}
}

// TestEveryHelperIsUsed keeps scripts/lib free of helpers no op uses.
func TestEveryHelperIsUsed(t *testing.T) {
	helpers, err := readHelpers(scriptFiles, scriptsDir)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for file, text := range sourceFiles(t) {
		for line := range strings.SplitSeq(text, "\n") {
			names, _, err := parseUses(file, line)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				used[n] = true
			}
		}
	}
	for name := range helpers {
		if !used[name] {
			t.Errorf("helper %s (scripts/lib/%s.ps1) is used by no op", name, name)
		}
	}
}

// TestHelpersAreUsedWhereCalled checks that an op names the helpers whose
// functions it calls, so that a script never calls a function the library
// did not assemble into it.
func TestHelpersAreUsedWhereCalled(t *testing.T) {
	defined := map[string]bool{}
	for _, text := range sourceFiles(t) {
		for _, m := range functionDef.FindAllStringSubmatch(text, -1) {
			defined[m[1]] = true
		}
	}
	for _, op := range Ops() {
		text := MustScript(op).Text
		own := map[string]bool{}
		for _, m := range functionDef.FindAllStringSubmatch(text, -1) {
			own[m[1]] = true
		}
		code := commentLine.ReplaceAllString(text, "")
		for name := range defined {
			if !own[name] && regexp.MustCompile(`(?m)(^|[\s(=;{])`+regexp.QuoteMeta(name)+`\b`).MatchString(code) {
				t.Errorf("%s calls %s, which no helper it uses defines", op, name)
			}
		}
	}
}

// newerPowerShell matches constructs that Windows PowerShell 3.0 lacks:
// pipeline chains, null-conditional operators and the ternary (PowerShell
// 7), ::new() and classes (5.0), and parameters added after 3.0.
var newerPowerShell = regexp.MustCompile(`&&|\|\||\?\?|\?\.|::new\(|(?m)^\s*class\s|(?i)\busing\s+namespace\b|-AsHashtable\b|-Parallel\b|-AsUTC\b|-AdditionalChildPath\b|ConvertFrom-Json\s+-Depth`)

// commentLine matches a whole-line comment.
var commentLine = regexp.MustCompile(`(?m)^\s*#.*$`)

// TestScriptsAvoidNewerPowerShell keeps the op scripts runnable on Windows
// PowerShell 3.0 to 5.1 as well as PowerShell 7. tree-sitter-powershell
// rejects ??, ?. and the ternary, but accepts the others.
func TestScriptsAvoidNewerPowerShell(t *testing.T) {
	for _, op := range Ops() {
		code := commentLine.ReplaceAllString(MustScript(op).Text, "")
		if m := newerPowerShell.FindString(code); m != "" {
			t.Errorf("%s: uses %q, which Windows PowerShell 3.0 lacks", op, m)
		}
	}
}
