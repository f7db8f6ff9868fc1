package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// Why rectify is started by a spawner: on Linux a child's ru_maxrss is not
// its own peak alone. Go starts a child with vfork semantics (the child
// shares the parent's memory until it execs), and exec records the
// high-water mark of the memory it leaves, the parent's, in the child's
// ru_maxrss (fs/exec.c, exec_mmap: setmax_mm_hiwater_rss). A rectify
// started by the driver, in which the lab of 1,000 hosts lives, reported
// the lab's peak as its own. The spawner is a process of its own, started
// before the lab exists, that does nothing but start rectify and report
// what it cost: the peak it can leak into rectify's figure is its own few
// megabytes, which it reports beside it.

// spawnRequest asks the spawner to run one command.
type spawnRequest struct {
	Bin  string   `json:"bin"`
	Dir  string   `json:"dir"`
	Env  []string `json:"env"`
	Args []string `json:"args"`
	// Log is the file the command's output is appended to.
	Log string `json:"log"`
}

// spawnResult is what the command cost.
type spawnResult struct {
	Wall   time.Duration `json:"wall"`
	CPU    time.Duration `json:"cpu"`
	MaxRSS int64         `json:"max_rss"` // bytes
	Exit   int           `json:"exit"`
	// SpawnerPeak is the spawner's own peak RSS when it started the
	// command: the most of MaxRSS that may not be the command's.
	SpawnerPeak int64  `json:"spawner_peak"`
	Error       string `json:"error,omitempty"`
}

// serveSpawner runs the commands it reads, one JSON request a line, and
// answers each with a JSON result line, until in closes.
func serveSpawner(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		var req spawnRequest
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return fmt.Errorf("spawner: %w", err)
		}
		if err := enc.Encode(spawnOne(req)); err != nil {
			return err
		}
	}
	return sc.Err()
}

func spawnOne(req spawnRequest) spawnResult {
	var res spawnResult
	log, err := os.OpenFile(req.Log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer log.Close()
	cmd := exec.Command(req.Bin, req.Args...)
	cmd.Dir, cmd.Env = req.Dir, req.Env
	cmd.Stdout, cmd.Stderr = log, log
	res.SpawnerPeak, _ = peakRSS("self")
	start := time.Now()
	err = cmd.Run()
	res.Wall = time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		res.Error = err.Error()
		return res
	}
	res.Exit = cmd.ProcessState.ExitCode()
	res.MaxRSS, res.CPU = childUsage(cmd.ProcessState)
	return res
}

// peakRSS reads VmHWM, the peak resident set size, of /proc/<pid>.
func peakRSS(pid string) (int64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", v, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc/" + pid + "/status")
}

// spawner is the driver's end of a spawner process.
type spawner struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *json.Decoder
}

// startSpawner starts this program as a spawner. Call it before anything
// large is allocated: the spawner's peak is the floor under every figure.
func startSpawner() (*spawner, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-spawner")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &spawner{cmd: cmd, in: in, out: json.NewDecoder(out)}, nil
}

// run runs req in the spawner and returns what it cost.
func (s *spawner) run(req spawnRequest) (spawnResult, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return spawnResult{}, err
	}
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		return spawnResult{}, fmt.Errorf("spawner: %w", err)
	}
	var res spawnResult
	if err := s.out.Decode(&res); err != nil {
		return spawnResult{}, fmt.Errorf("spawner: %w", err)
	}
	if res.Error != "" {
		return res, fmt.Errorf("run %s: %s", req.Bin, res.Error)
	}
	return res, nil
}

// close ends the spawner.
func (s *spawner) close() error {
	s.in.Close()
	return s.cmd.Wait()
}
