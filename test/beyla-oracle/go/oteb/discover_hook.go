// Tracegate's Beyla oracle: copied into Beyla's vendored
// github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/components/discover package (Beyla 2.5.x, before its core moved to
// go.opentelemetry.io/obi) by test/beyla-oracle/run.sh, never built here. The
// same steps as the Beyla 3 hook (go/obi), in this version's own code: the
// matcher takes the first entry that selects a process and is not excluded
// (matcher.go, filterCreated), the typer takes that entry's name and
// namespace, FindExecELF reads the process environment, the tracer sets the
// service defaults (CopyToServiceAttributes), then the Kubernetes decoration.

package discover

import (
	"log/slog"
	"strings"

	v1 "k8s.io/api/core/v1"

	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/components/ebpf"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/components/exec"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/components/kube"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/components/svc"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/export/otel"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/kubecache/informer"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/kubecache/meta"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/obi"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/services"
	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/transform"
)

// TracegateOracleProcess is one process of a pod's container; PID is a real
// process with the container's environment.
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
	Entries          []int
	Excluded         bool
	ServiceName      string
	ServiceNamespace string
	Attributes       map[string]string
	// Beyla 2.5.0-2.5.2 have no sampler per entry.
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

// NewTracegateOracle builds the oracle for a loaded configuration.
func NewTracegateOracle(cfg *obi.Config, resourceLabels map[string][]string, pods []*v1.Pod) (*TracegateOracle, error) {
	notifier := &silentNotifier{meta.NewBaseNotifier(slog.Default())}
	store := kube.NewStore(notifier, kube.ResourceLabels(resourceLabels), nil)
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
	attrs := withMetadata(ProcessAttrs{pid: PID(p.PID), openPorts: p.Ports}, om)
	proc := &services.ProcessInfo{Pid: int32(p.PID), PPid: 1, ExePath: p.Exe, OpenPorts: p.Ports}

	var result TracegateOracleResult
	var first services.Selector
	for i, c := range o.criteria {
		if o.matcher.matchProcess(&attrs, proc, c) {
			result.Entries = append(result.Entries, i)
			if first == nil && !o.matcher.isExcluded(&attrs, proc) {
				first = c
			}
		}
	}
	if first == nil {
		result.Excluded = len(result.Entries) > 0
		return result, nil
	}
	service := svc.Attrs{UID: svc.UID{Name: first.GetName(), Namespace: first.GetNamespace()}, ProcPID: proc.Pid}
	k8sEnabled := strings.EqualFold(string(o.cfg.Attributes.Kubernetes.Enable), "true")
	file, err := exec.FindExecELF(proc, service, k8sEnabled)
	if err != nil {
		return result, err
	}
	(&ebpf.Instrumentable{Type: svc.InstrumentableGeneric, FileInfo: file}).CopyToServiceAttributes()
	if cached := o.store.PodByContainerID(containerID); cached != nil {
		transform.AppendKubeMetadata(o.store, &file.Service, cached, "", p.Container)
	}
	result.ServiceName = file.Service.UID.Name
	result.ServiceNamespace = file.Service.UID.Namespace
	// The resource of its exported spans, as the OTLP exporter builds it
	// (traces.go: a later attribute of the same key wins, as attrsToMap's
	// PutStr does).
	result.Attributes = map[string]string{}
	for _, kv := range otel.GetAppResourceAttrs("", &file.Service) {
		if key := string(kv.Key); strings.HasPrefix(key, "k8s.") || strings.HasPrefix(key, "service.") {
			result.Attributes[key] = kv.Value.Emit()
		}
	}
	return result, nil
}

// EntrySamplers is the number of discovery entries; this version reads no
// sampler inside an entry.
func (o *TracegateOracle) EntrySamplers() (int, []*TracegateOracleSampler) {
	return len(o.criteria), make([]*TracegateOracleSampler, len(o.criteria))
}

// TracegateOracleGlobalSampler is the exporter's sampler
// (otel_traces_export.sampler), nil when the file sets none.
func TracegateOracleGlobalSampler(cfg *obi.Config) *TracegateOracleSampler {
	s := cfg.Traces.Sampler
	if s.Name == "" && s.Arg == "" {
		return nil
	}
	return &TracegateOracleSampler{Name: s.Name, Arg: s.Arg}
}
