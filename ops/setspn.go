package ops

import (
	"regexp"
	"strconv"
	"strings"
)

// SetSPNResult is what setspn -L, -Q or -X reported.
type SetSPNResult struct {
	// Checked lists the domains or forests searched ("Checking domain
	// DC=corp,DC=example,DC=com"), for -Q and -X.
	Checked []string `json:"checked"`
	// Accounts lists the accounts with their SPNs: the one account of -L,
	// the holders -Q found.
	Accounts []SPNAccount `json:"accounts"`
	// Found is set for -Q when setspn printed "Existing SPN found!".
	Found bool `json:"found"`
	// Duplicates lists the SPNs -X found on more than one account.
	Duplicates []SPNDuplicate `json:"duplicates"`
	// DuplicateGroups is the count -X printed ("found 1 group of duplicate
	// SPNs."), or -1 when it printed none.
	DuplicateGroups int `json:"duplicate_groups"`
	// Other holds the non-blank lines not understood, such as errors
	// ("Could not find account EX99").
	Other []string `json:"other"`
}

// SPNAccount is an account (by DN) and the SPNs listed under it.
type SPNAccount struct {
	DN   string   `json:"dn"`
	SPNs []string `json:"spns"`
}

// SPNDuplicate is an SPN and the accounts (by DN) that hold it.
type SPNDuplicate struct {
	SPN      string   `json:"spn"`
	Accounts []string `json:"accounts"`
}

var (
	setspnRegistered = regexp.MustCompile(`^Registered ServicePrincipalNames for (.+?):?\s*$`)
	setspnChecking   = regexp.MustCompile(`^Checking (?:domain|forest) (.+?)\s*$`)
	setspnDuplicate  = regexp.MustCompile(`^(\S+) is registered on these accounts:\s*$`)
	setspnGroups     = regexp.MustCompile(`(?i)^found ([0-9]+) groups? of duplicate SPNs\.?\s*$`)
	setspnDN         = regexp.MustCompile(`(?i)^(CN|OU|DC)=\S`)
)

// ParseSetSPN reads the output of setspn's listing commands.
//
// setspn -L <account> lists an account's SPNs, indented under a header:
//
//	Registered ServicePrincipalNames for CN=EX01,CN=Computers,DC=corp,DC=example,DC=com:
//	        SMTPSVC/ex01.corp.example.com
//	        SMTPSVC/EX01
//
// setspn -Q <spn> names each domain it checks, then each holder's DN at
// the start of a line with that account's SPNs indented under it, then the
// verdict:
//
//	Checking domain DC=corp,DC=example,DC=com
//	CN=EX01,CN=Computers,DC=corp,DC=example,DC=com
//	        SMTPSVC/EX01
//	        HOST/EX01
//
//	Existing SPN found!
//
// or "No such SPN found." (with -F, "Checking forest DC=...").
//
// setspn -X lists each duplicated SPN with the accounts holding it, and a
// count of groups:
//
//	Checking domain DC=corp,DC=example,DC=com
//	Processing entry 0
//	SMTP/ex01 is registered on these accounts:
//	        CN=EX01,CN=Computers,DC=corp,DC=example,DC=com
//	        CN=svc-mail,CN=Users,DC=corp,DC=example,DC=com
//
//	found 1 group of duplicate SPNs.
//
// Indentation is any run of spaces or tabs. Lines that fit none of these
// forms are kept in Other. It returns a *FormatError when no line fits.
func ParseSetSPN(text string) (SetSPNResult, error) {
	res := SetSPNResult{Checked: []string{}, Accounts: []SPNAccount{}, Duplicates: []SPNDuplicate{}, DuplicateGroups: -1, Other: []string{}}
	lines := 0
	var account *SPNAccount
	var duplicate *SPNDuplicate
	finish := func() {
		if account != nil {
			res.Accounts = append(res.Accounts, *account)
		}
		if duplicate != nil {
			res.Duplicates = append(res.Duplicates, *duplicate)
		}
		account, duplicate = nil, nil
	}
	for _, line := range outputLines(text) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if indented := line[0] == ' ' || line[0] == '\t'; indented {
			switch {
			case account != nil:
				account.SPNs = append(account.SPNs, trimmed)
				continue
			case duplicate != nil:
				duplicate.Accounts = append(duplicate.Accounts, trimmed)
				continue
			}
		}
		finish()
		lines++
		switch {
		case setspnRegistered.MatchString(trimmed):
			account = &SPNAccount{DN: setspnRegistered.FindStringSubmatch(trimmed)[1], SPNs: []string{}}
		case setspnChecking.MatchString(trimmed):
			res.Checked = append(res.Checked, setspnChecking.FindStringSubmatch(trimmed)[1])
		case setspnDuplicate.MatchString(trimmed):
			duplicate = &SPNDuplicate{SPN: setspnDuplicate.FindStringSubmatch(trimmed)[1], Accounts: []string{}}
		case setspnGroups.MatchString(trimmed):
			n, err := strconv.Atoi(setspnGroups.FindStringSubmatch(trimmed)[1])
			if err != nil {
				n = -1
			}
			res.DuplicateGroups = n
		case trimmed == "Existing SPN found!":
			res.Found = true
		case trimmed == "No such SPN found.":
			res.Found = false
		case strings.HasPrefix(trimmed, "Processing entry "):
		case line == trimmed && setspnDN.MatchString(trimmed):
			account = &SPNAccount{DN: trimmed, SPNs: []string{}}
		default:
			res.Other = append(res.Other, trimmed)
		}
	}
	finish()
	if len(res.Other) == lines {
		return SetSPNResult{}, &FormatError{Command: "setspn", Reason: "no line of setspn -L, -Q or -X output"}
	}
	return res, nil
}
