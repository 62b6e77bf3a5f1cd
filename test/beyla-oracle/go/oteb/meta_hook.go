// Tracegate's Beyla oracle: copied into Beyla's vendored
// github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/kubecache/meta package (Beyla 2.5.x) by
// test/beyla-oracle/run.sh, never built here. It exposes the one conversion the
// oracle needs: a Kubernetes Pod as Beyla's informer turns it into metadata.

package meta

import (
	"fmt"

	v1 "k8s.io/api/core/v1"

	"github.com/open-telemetry/opentelemetry-ebpf-instrumentation/pkg/kubecache/informer"
)

// TracegateOraclePodMeta is Beyla's own podToIndexableEntity: owners (with the
// Deployment guessed from a ReplicaSet's name), containers from the pod's
// status, and their OTEL_* environment as Beyla reads it from the spec.
func TracegateOraclePodMeta(pod *v1.Pod) (*informer.ObjectMeta, error) {
	inf := &Informers{config: &informersConfig{}}
	entity, err := inf.podToIndexableEntity(pod)
	if err != nil {
		return nil, err
	}
	indexable, ok := entity.(*indexableEntity)
	if !ok {
		return nil, fmt.Errorf("unexpected informer entity %T", entity)
	}
	return indexable.EncodedMeta, nil
}
