// Command kube-apiserver runs the upstream Kubernetes API server, built from the
// k8s.io/kubernetes module. It is a test oracle for scripts/consumers only.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
