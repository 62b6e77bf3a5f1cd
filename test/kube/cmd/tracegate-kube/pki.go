package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// pki holds the files of the trust root of one control plane folder: made on
// its first run, kept by later runs on the same folder, so that a restarted
// API server keeps its CA and still accepts the ServiceAccount tokens it issued.
type pki struct {
	caFile                      string
	servingCertFile             string
	servingKeyFile              string
	serviceAccountKeyFile       string
	serviceAccountPublicKeyFile string
	tokenFile                   string
	adminToken                  string
}

func loadOrWritePKI(dir string) (*pki, error) {
	p := &pki{
		caFile:                      filepath.Join(dir, "ca.crt"),
		servingCertFile:             filepath.Join(dir, "apiserver.crt"),
		servingKeyFile:              filepath.Join(dir, "apiserver.key"),
		serviceAccountKeyFile:       filepath.Join(dir, "sa.key"),
		serviceAccountPublicKeyFile: filepath.Join(dir, "sa.pub"),
		tokenFile:                   filepath.Join(dir, "tokens.csv"),
	}
	if tokens, err := os.ReadFile(p.tokenFile); err == nil {
		if admin, _, found := strings.Cut(string(tokens), ","); found {
			p.adminToken = admin
			return p, nil
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tracegate-local-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)

	servingKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	servingTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	servingDER, err := x509.CreateCertificate(rand.Reader, servingTemplate, caCert, &servingKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}

	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}

	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	p.adminToken = hex.EncodeToString(token)

	servingKeyDER, _ := x509.MarshalECPrivateKey(servingKey)
	saPublicDER, _ := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	files := []struct {
		path string
		data []byte
	}{
		{p.caFile, pemBlock("CERTIFICATE", caDER)},
		{p.servingCertFile, pemBlock("CERTIFICATE", servingDER)},
		{p.servingKeyFile, pemBlock("EC PRIVATE KEY", servingKeyDER)},
		{p.serviceAccountKeyFile, pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey))},
		{p.serviceAccountPublicKeyFile, pemBlock("PUBLIC KEY", saPublicDER)},
		// token,user,uid,"group": the static admin is a cluster-admin via system:masters.
		{p.tokenFile, []byte(p.adminToken + ",tracegate-admin,tracegate-admin,\"system:masters\"\n")},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// writeKubeconfig writes an admin kubeconfig; JSON is valid kubeconfig syntax.
func writeKubeconfig(path, server, caFile, token string) error {
	config := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": "tracegate-local",
		"clusters": []any{map[string]any{
			"name":    "tracegate-local",
			"cluster": map[string]any{"server": server, "certificate-authority": caFile},
		}},
		"users": []any{map[string]any{
			"name": "tracegate-admin",
			"user": map[string]any{"token": token},
		}},
		"contexts": []any{map[string]any{
			"name":    "tracegate-local",
			"context": map[string]any{"cluster": "tracegate-local", "user": "tracegate-admin"},
		}},
	}
	data, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
