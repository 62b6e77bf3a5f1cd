// Tracegate's Beyla oracle: what Beyla's own code decides for Tracegate's
// rendered configurations and a table of pods. Built inside a Beyla source tree
// by test/beyla-oracle/run.sh (imports rewritten there for Beyla 2.x), never in
// this repository, and run in a network namespace of its own.
//
// For each configuration in <inputs>/configs: Beyla's LoadConfig and
// Validate (what it runs at start-up), the sampler of each discovery entry and
// of the exporter, and for every process of every pod in <inputs>/pods.json
// which entries select it and, when one does, the service name, namespace and
// resource attributes its spans carry (see the discover hook).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"

	"github.com/grafana/beyla/v3/pkg/beyla"
	"go.opentelemetry.io/obi/pkg/appolly/discover"
)

type podCase struct {
	ID        string          `json:"id"`
	Pod       json.RawMessage `json:"pod"`
	Processes []struct {
		Container string            `json:"container"`
		Exe       string            `json:"exe"`
		Ports     []uint32          `json:"ports"`
		Env       map[string]string `json:"env"`
	} `json:"processes"`
}

type decision struct {
	Entries          []int                            `json:"entries"`
	Excluded         bool                             `json:"excluded,omitempty"`
	ServiceName      string                           `json:"serviceName,omitempty"`
	ServiceNamespace string                           `json:"serviceNamespace,omitempty"`
	Attributes       map[string]string                `json:"attributes,omitempty"`
	EntrySampler     *discover.TracegateOracleSampler `json:"entrySampler,omitempty"`
}

type configResult struct {
	Sha256 string `json:"sha256"`
	// Empty when Beyla loads and validates the file.
	LoadError     string                             `json:"loadError,omitempty"`
	ValidateError string                             `json:"validateError,omitempty"`
	Entries       int                                `json:"entries"`
	EntrySamplers []*discover.TracegateOracleSampler `json:"entrySamplers,omitempty"`
	// With many entries: sha256 of "<index> <name>:<arg>" lines ("-" for
	// none), instead of the list.
	EntrySamplersDigest string `json:"entrySamplersDigest,omitempty"`
	GlobalSampler *discover.TracegateOracleSampler   `json:"globalSampler,omitempty"`
	// "<pod id>/<container>" of every process an entry selects (or an
	// exclusion takes back).
	Processes map[string]decision `json:"processes,omitempty"`
	// With selections: sha256 of "<pod>/<container> <entries> <sampler>" lines,
	// for the configs whose processes are too many to list.
	SelectionDigest string `json:"selectionDigest,omitempty"`
	Selected        int    `json:"selected"`
}

type fixture struct {
	Beyla     string                  `json:"beyla"`
	Source    string                  `json:"source"`
	Tool      string                  `json:"tool"`
	PodsSha   string                  `json:"podsSha256"`
	Configs   map[string]configResult `json:"configs"`
	Naming    map[string]decision     `json:"naming"`
	NamingCfg string                  `json:"namingConfig"`
}

// The configuration the naming table is made with: every pod selected.
const namingConfig = "discovery:\n  instrument:\n    - k8s_namespace: \"*\"\n" +
	"attributes:\n  kubernetes:\n    enable: true\n" +
	"otel_traces_export:\n  endpoint: http://127.0.0.1:4318\n"

func main() {
	inputs := flag.String("inputs", "", "folder with pods.json and configs/")
	out := flag.String("out", "", "fixture file to write")
	version := flag.String("beyla", "", "Beyla version of this tree")
	source := flag.String("source", "", "where the tree came from (tag and commit)")
	digestOver := flag.Int("digest-over", 200, "list processes only for configs with at most this many selections")
	flag.Parse()

	podsJSON, err := os.ReadFile(filepath.Join(*inputs, "pods.json"))
	check(err)
	var cases []podCase
	check(json.Unmarshal(podsJSON, &cases))
	pods := make([]*v1.Pod, len(cases))
	for i, c := range cases {
		pods[i] = &v1.Pod{}
		check(json.Unmarshal(c.Pod, pods[i]))
	}

	f := fixture{
		Beyla:     *version,
		Source:    *source,
		Tool:      "test/beyla-oracle: Beyla's LoadConfig and Validate, its informer's pod conversion, kube.Store, the discovery matcher, the typer's service attributes, exec.FileInfo and transform.AppendKubeMetadata",
		PodsSha:   sha(podsJSON),
		Configs:   map[string]configResult{},
		NamingCfg: namingConfig,
	}
	naming := decide([]byte(namingConfig), cases, pods, 1<<30)
	if naming.LoadError != "" || naming.ValidateError != "" {
		check(fmt.Errorf("the naming configuration: %s%s", naming.LoadError, naming.ValidateError))
	}
	f.Naming = naming.Processes

	files, err := filepath.Glob(filepath.Join(*inputs, "configs", "*.yml"))
	check(err)
	sort.Strings(files)
	for _, file := range files {
		text, err := os.ReadFile(file)
		check(err)
		f.Configs[strings.TrimSuffix(filepath.Base(file), ".yml")] = decide(text, cases, pods, *digestOver)
	}

	data, err := json.MarshalIndent(f, "", "  ")
	check(err)
	check(os.WriteFile(*out, append(data, '\n'), 0o644))
}

func decide(text []byte, cases []podCase, pods []*v1.Pod, digestOver int) (result configResult) {
	result.Sha256 = sha(text)
	defer func() {
		if r := recover(); r != nil {
			result.LoadError = fmt.Sprintf("panic: %v", r)
		}
	}()
	cfg, err := beyla.LoadConfig(strings.NewReader(string(text)))
	if err != nil {
		result.LoadError = err.Error()
		return result
	}
	if err := cfg.Validate(); err != nil {
		result.ValidateError = err.Error()
		return result
	}
	obiCfg := cfg.AsOBI()
	oracle, err := discover.NewTracegateOracle(obiCfg, obiCfg.Attributes.Kubernetes.ResourceLabels, pods)
	check(err)
	result.Entries, result.EntrySamplers = oracle.EntrySamplers()
	if result.Entries > digestOver {
		var lines strings.Builder
		for i, s := range result.EntrySamplers {
			sampler := "-"
			if s != nil {
				sampler = s.Name + ":" + s.Arg
			}
			fmt.Fprintf(&lines, "%d %s\n", i, sampler)
		}
		result.EntrySamplersDigest = sha([]byte(lines.String()))
		result.EntrySamplers = nil
	}
	result.GlobalSampler = discover.TracegateOracleGlobalSampler(obiCfg)
	processes := map[string]decision{}
	for i, c := range cases {
		for _, p := range c.Processes {
			process := startProcess(p.Env)
			d, err := oracle.Decide(discover.TracegateOracleProcess{
				Pod: pods[i], Container: p.Container, Exe: p.Exe, Ports: p.Ports, PID: process.Pid,
			})
			_ = process.Kill()
			_, _ = process.Wait()
			check(err)
			if len(d.Entries) == 0 {
				continue
			}
			processes[c.ID+"/"+p.Container] = decision{
				Entries: d.Entries, Excluded: d.Excluded, ServiceName: d.ServiceName,
				ServiceNamespace: d.ServiceNamespace, Attributes: d.Attributes, EntrySampler: d.EntrySampler,
			}
		}
	}
	result.Selected = len(processes)
	if len(processes) <= digestOver {
		result.Processes = processes
		return result
	}
	keys := make([]string, 0, len(processes))
	for k := range processes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines strings.Builder
	for _, k := range keys {
		d := processes[k]
		sampler := "-"
		if d.EntrySampler != nil {
			sampler = d.EntrySampler.Name + ":" + d.EntrySampler.Arg
		}
		entries := make([]string, len(d.Entries))
		for i, e := range d.Entries {
			entries[i] = fmt.Sprint(e)
		}
		fmt.Fprintf(&lines, "%s %s %t %s\n", k, strings.Join(entries, ","), d.Excluded, sampler)
	}
	result.SelectionDigest = sha([]byte(lines.String()))
	return result
}

// startProcess starts a process that only waits, with exactly this
// environment, for Beyla to read from /proc.
func startProcess(env map[string]string) *os.Process {
	vars := make([]string, 0, len(env))
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	sort.Strings(vars)
	process, err := os.StartProcess("/bin/sleep", []string{"sleep", "600"}, &os.ProcAttr{Env: vars})
	check(err)
	return process
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "beyla-oracle:", err)
		os.Exit(1)
	}
}
