package lab

// dcLDAP is one DC's LDAP service.
type dcLDAP struct{}

func (l *Lab) startLDAP(h *Host, ports LDAPPorts) (*dcLDAP, error) { return &dcLDAP{}, nil }

func (d *dcLDAP) close() error      { return nil }
func (d *dcLDAP) ldapsAddr() string { return "" }
