// Command tracegate-kube runs a real, single-process Kubernetes control plane
// for Tracegate's tests and local demo: embedded etcd, kube-apiserver with RBAC,
// a kube-controller-manager with the namespace, garbage-collector,
// service-account, DaemonSet, Deployment and ReplicaSet controllers, and
// kube-scheduler (each re-executed as a child process so its flags and signal
// handling stay separate from the API server's). Nodes come from KWOK, which
// the TypeScript helper starts beside it.
//
// Usage:
//
//	tracegate-kube serve --dir DIR [--port N]
//
// When the API server is ready it writes DIR/state.json (see stateFile) and
// prints one line "READY <path of state.json>" on stdout. SIGTERM or SIGINT stops
// everything; the child controller manager also dies with its parent.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap/zapcore"
	"k8s.io/component-base/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

// stateFile is what the TypeScript helper reads to reach the cluster.
type stateFile struct {
	URL            string `json:"url"`
	CAFile         string `json:"caFile"`
	AdminToken     string `json:"adminToken"`
	KubeconfigFile string `json:"kubeconfigFile"`
	PID            int    `json:"pid"`
	Version        string `json:"version"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tracegate-kube serve --dir DIR [--port N]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		if err := serve(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "tracegate-kube:", err)
			os.Exit(1)
		}
	case "controller-manager":
		cmd := controllermanager.NewControllerManagerCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
	case "scheduler":
		cmd := scheduler.NewSchedulerCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "tracegate-kube: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := flags.String("dir", "", "folder for etcd data, keys and kubeconfig (required)")
	port := flags.Int("port", 0, "API server port on 127.0.0.1 (0 picks a free one)")
	verbose := flags.Bool("verbose", false, "keep the API server's and etcd's logs")
	_ = flags.Parse(args)
	if *dir == "" {
		return fmt.Errorf("--dir is required")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if *port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		*port = p
	}

	pki, err := loadOrWritePKI(*dir)
	if err != nil {
		return fmt.Errorf("writing keys: %w", err)
	}

	etcd, etcdURL, err := startEtcd(filepath.Join(*dir, "etcd"), *verbose)
	if err != nil {
		return fmt.Errorf("starting etcd: %w", err)
	}
	defer etcd.Close()

	url := fmt.Sprintf("https://127.0.0.1:%d", *port)
	apiDone := make(chan error, 1)
	go func() {
		cmd := apiserver.NewAPIServerCommand()
		cmd.SetArgs(apiServerArgs(*port, etcdURL, pki, *verbose))
		apiDone <- cmd.Execute()
	}()

	if err := waitReady(url, pki, apiDone); err != nil {
		return err
	}

	kubeconfig := filepath.Join(*dir, "admin.kubeconfig")
	if err := writeKubeconfig(kubeconfig, url, pki.caFile, pki.adminToken); err != nil {
		return err
	}
	controllers, err := startChild(*verbose, "controller-manager",
		"--kubeconfig="+kubeconfig,
		"--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,daemonset-controller,deployment-controller,replicaset-controller",
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--secure-port=0",
		"--v=0",
	)
	if err != nil {
		return fmt.Errorf("starting controller manager: %w", err)
	}
	// DaemonSet pods are bound to their nodes by the scheduler (node affinity).
	sched, err := startChild(*verbose, "scheduler",
		"--kubeconfig="+kubeconfig,
		"--authentication-kubeconfig="+kubeconfig,
		"--authorization-kubeconfig="+kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--v=0",
	)
	if err != nil {
		_ = controllers.Process.Kill()
		return fmt.Errorf("starting scheduler: %w", err)
	}

	state := stateFile{
		URL:            url,
		CAFile:         pki.caFile,
		AdminToken:     pki.adminToken,
		KubeconfigFile: kubeconfig,
		PID:            os.Getpid(),
		Version:        version.Get().GitVersion,
	}
	statePath := filepath.Join(*dir, "state.json")
	data, _ := json.MarshalIndent(state, "", "  ")
	if err := os.WriteFile(statePath, data, 0o600); err != nil {
		return err
	}
	fmt.Printf("READY %s\n", statePath)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-signals:
	case err := <-apiDone:
		_ = controllers.Process.Kill()
		_ = sched.Process.Kill()
		return fmt.Errorf("kube-apiserver stopped: %v", err)
	}
	for _, child := range []*exec.Cmd{controllers, sched} {
		_ = child.Process.Signal(syscall.SIGTERM)
	}
	for _, child := range []*exec.Cmd{controllers, sched} {
		_, _ = child.Process.Wait()
	}
	// The API server shares the signal and drains on its own; give it a bound.
	select {
	case <-apiDone:
	case <-time.After(15 * time.Second):
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEtcd(dataDir string, verbose bool) (*embed.Etcd, string, error) {
	clientPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dataDir
	cfg.Name = "tracegate"
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	cfg.ListenClientUrls = mustURLs(clientURL)
	cfg.AdvertiseClientUrls = mustURLs(clientURL)
	cfg.ListenPeerUrls = mustURLs(peerURL)
	cfg.AdvertisePeerUrls = mustURLs(peerURL)
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = zapcore.ErrorLevel.String()
	if verbose {
		cfg.LogLevel = zapcore.InfoLevel.String()
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, clientURL, nil
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, "", fmt.Errorf("etcd not ready after 60s")
	}
}

func apiServerArgs(port int, etcdURL string, pki *pki, verbose bool) []string {
	verbosity := "0"
	if verbose {
		verbosity = "2"
	}
	return []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--etcd-servers=" + etcdURL,
		"--tls-cert-file=" + pki.servingCertFile,
		"--tls-private-key-file=" + pki.servingKeyFile,
		"--client-ca-file=" + pki.caFile,
		"--token-auth-file=" + pki.tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki.serviceAccountPublicKeyFile,
		"--service-account-signing-key-file=" + pki.serviceAccountKeyFile,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--allow-privileged=true",
		"--enable-priority-and-fairness=false",
		// The default reconciler refuses 127.0.0.1 as the kubernetes Service endpoint.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
		"--v=" + verbosity,
	}
}

// startChild re-executes this binary as one more control-plane component.
func startChild(verbose bool, component string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{component}, args...)...)
	if verbose {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	// A component must not outlive the control plane it serves.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd, cmd.Start()
}

// waitReady polls /readyz as the admin until it answers 200.
func waitReady(url string, pki *pki, apiDone <-chan error) error {
	caPEM, err := os.ReadFile(pki.caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+pki.adminToken)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-apiDone:
			return fmt.Errorf("kube-apiserver exited before ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready after 120s")
		case <-time.After(200 * time.Millisecond):
		}
	}
}
