// Package exchange holds the built-in actions for Exchange servers:
// exchange.receive_connector_auth (Exchange Server authentication on the
// connector that receives internal mail, KB 979174 step 6) and
// exchange.queue (the 451 4.4.0 / 454 4.7.0 symptom on the delivery queues,
// retried after the fixes to prove it is gone).
package exchange
