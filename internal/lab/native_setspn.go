package lab

import (
	"fmt"
	"slices"
	"strings"
)

// setspn answers setspn -L, -Q, -X, -S and -D from the directory.
func (o *Org) setspn(h *Host, argv []string) (string, int) {
	var mode string
	var rest []string
	forest, quiet := false, false
	for _, a := range argv {
		if strings.HasPrefix(a, "-") || strings.HasPrefix(a, "/") {
			switch f := strings.ToUpper(a[1:]); f {
			case "L", "Q", "X", "S", "D":
				mode = f
			case "F":
				forest = true
			case "P":
				quiet = true
			default:
				return setspnUsage, 1
			}
			continue
		}
		rest = append(rest, a)
	}
	scope := o.setspnText("domain")
	if forest {
		scope = o.setspnText("forest")
	}
	checking := o.setspnText("checking", scope, o.domainDN()) + "\r\n"
	switch mode {
	case "L":
		if len(rest) != 1 {
			return setspnUsage, 1
		}
		a, ok := o.accounts.Account(rest[0])
		if !ok {
			return fmt.Sprintf("FindDomainForAccount: Call to DsGetDcNameWithAccountW failed with return value 0x00000525\r\nUnable to locate account %s\r\n", rest[0]), 1
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s\r\n", o.setspnText("registeredFor", a.DN))
		for _, spn := range a.SPNs {
			fmt.Fprintf(&b, "\t%s\r\n", spn)
		}
		return b.String(), 0
	case "Q":
		if len(rest) != 1 {
			return setspnUsage, 1
		}
		var b strings.Builder
		b.WriteString(checking)
		holders := o.accounts.Holders(rest[0])
		for _, a := range holders {
			fmt.Fprintf(&b, "%s\r\n", a.DN)
			for _, spn := range a.SPNs {
				fmt.Fprintf(&b, "\t%s\r\n", spn)
			}
		}
		if len(holders) == 0 {
			b.WriteString("\r\n" + o.setspnText("noSuch") + "\r\n")
			return b.String(), 1
		}
		b.WriteString("\r\n" + o.setspnText("existing") + "\r\n")
		return b.String(), 0
	case "X":
		return o.setspnDuplicates(checking, quiet), 0
	case "S", "D":
		if len(rest) != 2 {
			return setspnUsage, 1
		}
		return o.setspnModify(h, mode, rest[0], rest[1], checking)
	}
	return setspnUsage, 1
}

// setspnText is one of setspn's sentences in the organisation's language.
func (o *Org) setspnText(id string, args ...any) string {
	return o.locale.text(toolSetspn, id, args...)
}

const setspnUsage = "Usage: setspn [modifiers switch] [accountname]\r\n  Where \"accountname\" can be the name or domain\\name\r\n  of the target computer or user account\r\n"

// setspnDuplicates groups every SPN case-insensitively and lists the
// groups held by more than one account.
func (o *Org) setspnDuplicates(checking string, quiet bool) string {
	accounts := o.accounts.WithSPNs()
	holders := map[string][]string{}
	spelling := map[string]string{}
	var order []string
	for _, a := range accounts {
		for _, spn := range a.SPNs {
			key := strings.ToLower(spn)
			if _, ok := spelling[key]; !ok {
				spelling[key] = spn
				order = append(order, key)
			}
			if !slices.Contains(holders[key], a.DN) {
				holders[key] = append(holders[key], a.DN)
			}
		}
	}
	var b strings.Builder
	b.WriteString(checking)
	if !quiet {
		fmt.Fprintf(&b, "%s\r\n", o.setspnText("processing", len(accounts)))
	}
	groups := 0
	for _, key := range order {
		if len(holders[key]) < 2 {
			continue
		}
		groups++
		fmt.Fprintf(&b, "%s\r\n", o.setspnText("registeredOn", spelling[key]))
		for _, dn := range holders[key] {
			fmt.Fprintf(&b, "\t%s\r\n", dn)
		}
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "%s\r\n", o.setspnText("found", groups))
	return b.String()
}

// setspnModify adds (-S, after a duplicate check) or deletes (-D) an SPN;
// the write originates on the host's DC.
func (o *Org) setspnModify(h *Host, mode, spn, account, checking string) (string, int) {
	a, ok := o.accounts.Account(account)
	if !ok {
		return fmt.Sprintf("FindDomainForAccount: Call to DsGetDcNameWithAccountW failed with return value 0x00000525\r\nUnable to locate account %s\r\n", account), 1
	}
	dc := h.DC
	if h.Role == RoleDC {
		dc = h.Name
	}
	var b strings.Builder
	if mode == "D" {
		if !hasFold(a.SPNs, spn) {
			fmt.Fprintf(&b, "Unregistering ServicePrincipalNames for %s\r\n\t%s\r\nFailed to remove SPN on account '%s', error 0x2 : The system cannot find the file specified.\r\n", a.DN, spn, a.DN)
			return b.String(), 1
		}
		if err := o.accounts.RemoveSPNs(a.DN, spn); err != nil {
			return fmt.Sprintf("Failed to remove SPN on account '%s': %v\r\n", a.DN, err), 1
		}
		o.NoteSPNWrite(dc)
		fmt.Fprintf(&b, "Unregistering ServicePrincipalNames for %s\r\n\t%s\r\nUpdated object\r\n", a.DN, spn)
		return b.String(), 0
	}
	b.WriteString(checking)
	holders := o.accounts.Holders(spn)
	if len(holders) > 0 {
		for _, x := range holders {
			fmt.Fprintf(&b, "%s\r\n", x.DN)
			for _, s := range x.SPNs {
				fmt.Fprintf(&b, "\t%s\r\n", s)
			}
		}
		b.WriteString("\r\nDuplicate SPN found, aborting operation!\r\n")
		return b.String(), 1
	}
	if err := o.accounts.AddSPNs(a.DN, spn); err != nil {
		return fmt.Sprintf("Failed to assign SPN on account '%s': %v\r\n", a.DN, err), 1
	}
	o.NoteSPNWrite(dc)
	fmt.Fprintf(&b, "\r\nRegistering ServicePrincipalNames for %s\r\n\t%s\r\nUpdated object\r\n", a.DN, spn)
	return b.String(), 0
}
