// Command selfsigned writes what scripts/consumers needs when openssl is not installed:
// a self-signed serving certificate for 127.0.0.1 (serving.crt, serving.key) and an RSA
// service-account key pair (sa.key, sa.pub), all PEM, into the directory it is given.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "selfsigned: %v\n", err)
		os.Exit(1)
	}
}

func write(dir, name, blockType string, der []byte) {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	check(os.WriteFile(filepath.Join(dir, name), data, 0o600))
}

func main() {
	if len(os.Args) != 2 {
		check(fmt.Errorf("usage: selfsigned DIR"))
	}
	dir := os.Args[1]

	servingKey, err := rsa.GenerateKey(rand.Reader, 2048)
	check(err)
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	check(err)
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	cert, err := x509.CreateCertificate(rand.Reader, template, template, &servingKey.PublicKey, servingKey)
	check(err)
	write(dir, "serving.crt", "CERTIFICATE", cert)
	write(dir, "serving.key", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(servingKey))

	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	check(err)
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	check(err)
	write(dir, "sa.key", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey))
	write(dir, "sa.pub", "PUBLIC KEY", saPub)
}
