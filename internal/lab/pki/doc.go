// Package pki is the lab's certificate authority: one self-signed ECDSA
// P-256 root that issues server certificates for simulated hosts (DNS and IP
// subject alternative names), hands out tls.Config values for servers and a
// certificate pool for clients, and writes its certificate as PEM so that
// independent clients (masterzen/winrm, pywinrm, ldapsearch) can verify the
// lab's endpoints instead of skipping verification.
package pki
