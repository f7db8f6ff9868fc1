package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/rectifyhq/rectify/internal/testenv"
)

// binDir holds Debian's PostgreSQL 15 programs.
const binDir = "/usr/lib/postgresql/15/bin"

// superuser is the cluster's bootstrap role.
const superuser = "rectify"

// EnvURL names a running server to use instead of starting one: the URL
// of a database whose role may create databases and roles.
const EnvURL = "RECTIFY_TEST_POSTGRES"

// cluster is the test binary's server.
type cluster struct {
	admin string // URL of the admin database
	dir   string // the data directory; "" for a server not ours
	cmd   *exec.Cmd
	err   string // why there is no server
}

var (
	once   sync.Once
	shared *cluster
	serial atomic.Int64
)

// Main runs the tests of a package that uses Database and stops the
// cluster afterwards: call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	return code
}

// DB is one test's database.
type DB struct {
	// URL opens the database as the cluster's superuser.
	URL   string
	admin string
}

// Database creates an empty database for the test and returns it. The
// test is skipped (failed under CI) when PostgreSQL is not available.
func Database(t testing.TB) *DB {
	t.Helper()
	once.Do(func() { shared = start() })
	testenv.Require(t, "PostgreSQL", shared.err)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), serial.Add(1))
	adminDB, err := sql.Open("pgx", shared.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adminDB.Close()
	if _, err := adminDB.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create the test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", shared.admin)
		if err == nil {
			db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			db.Close()
		}
	})
	return &DB{URL: withDatabase(shared.admin, name, ""), admin: shared.admin}
}

// As returns the database's URL for the role name, creating the role
// (allowed to log in) when it is new; Grant gives it the tables.
func (d *DB) As(t testing.TB, role string) string {
	t.Helper()
	db, err := sql.Open("pgx", d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Roles are the cluster's: another test (or test binary, at the same
	// moment) may have made this one.
	if _, err := db.Exec(`DO $$ BEGIN CREATE ROLE ` + role + ` LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`); err != nil {
		t.Fatalf("create role %s: %v", role, err)
	}
	if _, err := db.Exec(`GRANT USAGE ON SCHEMA public TO ` + role); err != nil {
		t.Fatalf("grant role %s: %v", role, err)
	}
	u, _ := url.Parse(d.URL)
	return withDatabase(d.URL, strings.TrimPrefix(u.Path, "/"), role)
}

// Grant lets roles read and write every table of the database (a
// journal's, once made): what an administrator grants a team.
func (d *DB) Grant(t testing.TB, roles ...string) {
	t.Helper()
	list := strings.Join(roles, ", ")
	d.Exec(t, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO `+list,
		`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO `+list)
}

// Exec runs statements in the database as the superuser.
func (d *DB) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	db, err := sql.Open("pgx", d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func withDatabase(base, name, role string) string {
	u, _ := url.Parse(base)
	u.Path = "/" + name
	if role != "" {
		u.User = url.User(role)
	}
	return u.String()
}

// start finds or starts the server.
func start() *cluster {
	if u := os.Getenv(EnvURL); u != "" {
		c := &cluster{admin: u}
		if err := waitReady(u, 10*time.Second); err != nil {
			c.err = fmt.Sprintf("%s=%s does not answer: %v", EnvURL, u, err)
		}
		return c
	}
	for _, p := range []string{"initdb", "postgres"} {
		if why := testenv.FindFile(filepath.Join(binDir, p), "postgresql-15"); why != "" {
			return &cluster{err: why}
		}
	}
	c, err := startCluster()
	if err != nil {
		return &cluster{err: err.Error()}
	}
	return c
}

// startCluster makes a cluster in a temporary directory and starts its
// server on a free loopback port. PostgreSQL refuses to run as root: as
// root, it runs as the postgres account (setpriv, from util-linux).
func startCluster() (*cluster, error) {
	dir, err := os.MkdirTemp("", "rectify-pg-")
	if err != nil {
		return nil, err
	}
	var asUser []string
	if os.Geteuid() == 0 {
		setpriv, why := testenv.Find("setpriv", "util-linux")
		if why != "" {
			return nil, fmt.Errorf("%s", why)
		}
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres account (Debian package postgresql-15): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		asUser = []string{setpriv, "--reuid=" + u.Uid, "--regid=" + u.Gid, "--clear-groups", "--pdeathsig=TERM", "--"}
	}
	data := filepath.Join(dir, "data")
	initdb := command(asUser, filepath.Join(binDir, "initdb"), "-D", data, "-U", superuser, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := command(asUser, filepath.Join(binDir, "postgres"), "-D", data, "-k", dir, "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-c", "fsync=off", "-c", "max_connections=300", "-c", "shared_buffers=16MB")
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = serverAttr()
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &cluster{admin: fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", superuser, port), dir: dir, cmd: cmd}
	if err := waitReady(c.admin, 30*time.Second); err != nil {
		c.stop()
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("the server did not start: %v: %s", err, log)
	}
	return c, nil
}

func command(prefix []string, name string, args ...string) *exec.Cmd {
	if len(prefix) == 0 {
		return exec.Command(name, args...)
	}
	return exec.Command(prefix[0], append(append(prefix[1:], name), args...)...)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(u string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		db, err := sql.Open("pgx", u)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
		}
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the server (a fast shutdown) and removes its directory.
func (c *cluster) stop() {
	if c.cmd == nil {
		return
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		killGroup(c.cmd.Process)
		<-done
	}
	os.RemoveAll(c.dir)
}
