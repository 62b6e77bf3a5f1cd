// Tracegate's Beyla oracle: copied into Beyla's vendored
// go.opentelemetry.io/obi/pkg/appolly/discover package (Beyla 3.x) by
// test/beyla-oracle/run.sh, never built here. It runs, for one process of one
// pod, the steps Beyla takes between discovering a process and exporting its
// spans: the discovery criteria matcher (with the exclusions), the service
// attributes the typer takes from the matching entries, the process
// environment, the service defaults, and the Kubernetes decoration.

package discover

import (
	"log/slog"
	"strings"

	v1 "k8s.io/api/core/v1"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/obi/pkg/appolly/app"
	"go.opentelemetry.io/obi/pkg/appolly/app/svc"
	appmeta "go.opentelemetry.io/obi/pkg/appolly/meta"
	"go.opentelemetry.io/obi/pkg/appolly/services"
	"go.opentelemetry.io/obi/pkg/ebpf"
	"go.opentelemetry.io/obi/pkg/export/imetrics"
	"go.opentelemetry.io/obi/pkg/export/otel/otelcfg"
	"go.opentelemetry.io/obi/pkg/export/otel/tracesgen"
	"go.opentelemetry.io/obi/pkg/kube"
	"go.opentelemetry.io/obi/pkg/kube/kubecache/informer"
	"go.opentelemetry.io/obi/pkg/kube/kubecache/meta"
	"go.opentelemetry.io/obi/pkg/obi"
	"go.opentelemetry.io/obi/pkg/transform"
)

// TracegateOracleProcess is one process of a pod's container. PID is a real
// process (started by the oracle with the container's environment) so that
// Beyla reads its executable and environment from /proc as it would.
type TracegateOracleProcess struct {
	Pod       *v1.Pod
	Container string
	Exe       string
	Ports     []uint32
	PID       int
}

// TracegateOracleSampler is a sampler as Beyla read it from the config.
type TracegateOracleSampler struct {
	Name string `json:"name"`
	Arg  string `json:"arg"`
}

// TracegateOracleResult is what Beyla decides for one process.
type TracegateOracleResult struct {
	// Indices of the discovery entries that select the process.
	Entries []int
	// Whether an entry selects it but an exclusion (default or not) wins.
	Excluded bool
	// Set when selected: what its spans carry.
	ServiceName      string
	ServiceNamespace string
	Attributes       map[string]string
	// The last selecting entry's sampler, when one has one.
	EntrySampler *TracegateOracleSampler
}

// TracegateOracle holds Beyla's Kubernetes metadata store for a set of pods
// and the discovery criteria of one configuration.
type TracegateOracle struct {
	cfg      *obi.Config
	store    *kube.Store
	criteria []services.Selector
	matcher  *Matcher
}

type silentNotifier struct{ meta.BaseNotifier }

// NewTracegateOracle builds the oracle for a loaded configuration; the store
// gets the resource labels the configuration gives Beyla's metadata provider.
func NewTracegateOracle(cfg *obi.Config, resourceLabels map[string][]string, pods []*v1.Pod) (*TracegateOracle, error) {
	notifier := &silentNotifier{meta.NewBaseNotifier(slog.Default())}
	store := kube.NewStore(notifier, kube.ResourceLabels(resourceLabels), nil, imetrics.NoopReporter{})
	for _, pod := range pods {
		om, err := meta.TracegateOraclePodMeta(pod)
		if err != nil {
			return nil, err
		}
		if err := store.On(&informer.Event{Type: informer.EventType_CREATED, Resource: om}); err != nil {
			return nil, err
		}
	}
	criteria := FindingCriteria(cfg)
	return &TracegateOracle{
		cfg:      cfg,
		store:    store,
		criteria: criteria,
		matcher: &Matcher{
			Log:             slog.Default(),
			Criteria:        criteria,
			ExcludeCriteria: ExcludingCriteria(cfg),
			ProcessHistory:  map[app.PID]ProcessMatch{},
		},
	}, nil
}

// Decide runs Beyla's steps for one process.
func (o *TracegateOracle) Decide(p TracegateOracleProcess) (TracegateOracleResult, error) {
	om, err := meta.TracegateOraclePodMeta(p.Pod)
	if err != nil {
		return TracegateOracleResult{}, err
	}
	containerID := ""
	for _, c := range om.Pod.Containers {
		if c.Name == p.Container {
			containerID = c.Id
		}
	}
	pid := app.PID(p.PID)
	attrs := withMetadata(ProcessAttrs{pid: pid, openPorts: p.Ports}, om, containerID)
	proc := &services.ProcessInfo{Pid: pid, PPid: 1, ExePath: p.Exe, OpenPorts: p.Ports}

	var result TracegateOracleResult
	for i, c := range o.criteria {
		if o.matcher.matchProcess(&attrs, proc, c) {
			result.Entries = append(result.Entries, i)
		}
	}
	match := o.matcher.matchCriteria(attrs, proc)
	if match == nil {
		result.Excluded = len(result.Entries) > 0
		return result, nil
	}
	t := &typer{cfg: o.cfg, log: slog.Default()}
	service := t.makeServiceAttrs(match)
	for _, c := range match.Criteria {
		if s := c.GetSamplerConfig(); s != nil {
			result.EntrySampler = &TracegateOracleSampler{Name: string(s.Name), Arg: s.Arg}
		}
	}
	// The typer's ELF step (it reads the process environment), the tracer's
	// service defaults and the Kubernetes process decorator, in this order.
	file, err := findExecElf(proc, &service)
	if err != nil {
		return result, err
	}
	(&ebpf.Instrumentable{Type: svc.InstrumentableGeneric, FileInfo: file}).CopyToServiceAttributes()
	if cached := o.store.PodByContainerID(containerID); cached != nil {
		transform.AppendKubeMetadata(o.store, file, cached, "", p.Container)
	}
	final := file.ServiceAttrs()
	result.ServiceName = final.UID.Name
	result.ServiceNamespace = final.UID.Namespace
	// The resource of its exported spans, as the OTLP trace exporter builds
	// it (no node metadata here), with the configuration's attribute selection.
	resource := otelcfg.GetAppResourceAttrs(&appmeta.NodeMeta{}, &final, o.cfg.Attributes.Select)
	result.Attributes = map[string]string{}
	tracesgen.AttrsToMap(resource).Range(func(key string, value pcommon.Value) bool {
		if strings.HasPrefix(key, "k8s.") || strings.HasPrefix(key, "service.") {
			result.Attributes[key] = value.AsString()
		}
		return true
	})
	return result, nil
}

// EntrySamplers is the number of discovery entries and each one's sampler as
// loaded (nil when the entry has none).
func (o *TracegateOracle) EntrySamplers() (int, []*TracegateOracleSampler) {
	samplers := make([]*TracegateOracleSampler, len(o.criteria))
	for i, c := range o.criteria {
		if s := c.GetSamplerConfig(); s != nil {
			samplers[i] = &TracegateOracleSampler{Name: string(s.Name), Arg: s.Arg}
		}
	}
	return len(o.criteria), samplers
}

// TracegateOracleGlobalSampler is the exporter's sampler
// (otel_traces_export.sampler), nil when the file sets none.
func TracegateOracleGlobalSampler(cfg *obi.Config) *TracegateOracleSampler {
	s := cfg.Traces.SamplerConfig
	if s.Name == "" && s.Arg == "" {
		return nil
	}
	return &TracegateOracleSampler{Name: string(s.Name), Arg: s.Arg}
}
