// Package pgtest gives tests a real PostgreSQL server on loopback: a
// throw-away cluster from Debian's postgresql-15 package (initdb, then
// postgres), started once per test binary in a temporary directory and
// stopped with it, or the server named by RECTIFY_TEST_POSTGRES (a URL,
// as .ci/run and tools/postgres-dev start one). Every test gets its own
// database. Without PostgreSQL the tests are skipped, and under CI they
// fail.
package pgtest
