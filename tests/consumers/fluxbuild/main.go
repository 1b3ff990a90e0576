// Command fluxbuild builds one Flux Kustomization the way kustomize-controller v1.9 does,
// with Flux's own kustomize library (github.com/fluxcd/pkg/kustomize, the version
// kustomize-controller v1.9.6 requires), for scripts/consumers' oracle comparison.
//
//	fluxbuild build ROOT KUSTOMIZATION.yaml [VARIABLES.json]
//	fluxbuild canon < MULTI-DOCUMENT.yaml
//
// build copies the repository ROOT into a temporary directory, then does what the
// controller's reconcile does after fetching the artifact (internal/controller/
// kustomization_controller.go, generate and build): the Generator writes (or amends) the
// kustomization.yaml of spec.path, SecureBuild builds it, and when the Kustomization has a
// spec.postBuild every resource goes through SubstituteVariables (strict, as the
// StrictPostBuildSubstitutions feature gate is on by default in v1.9; substituteStrategy
// honoured), then spec.commonMetadata is set as the controller does before applying.
// The controller reads postBuild.substituteFrom from the cluster; here the caller finds
// those ConfigMaps and Secrets and passes their merged data as VARIABLES.json (a JSON
// object of strings), and substitution runs in dry-run mode (no cluster) with those
// variables under postBuild.substitute's, which win, exactly as the controller merges them.
// Prints one JSON object per line, in the build's order.
//
// canon reads multi-document YAML (as `fluxprint build` prints it) with kustomize's own
// YAML reader and prints each object as one JSON line, so both sides are parsed alike.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	generator "github.com/fluxcd/pkg/kustomize"
	cp "github.com/otiai10/copy"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/yaml"
)

func main() {
	var err error
	switch {
	case len(os.Args) >= 4 && len(os.Args) <= 5 && os.Args[1] == "build":
		vars := ""
		if len(os.Args) == 5 {
			vars = os.Args[4]
		}
		err = build(os.Args[2], os.Args[3], vars, os.Stdout)
	case len(os.Args) == 2 && os.Args[1] == "canon":
		err = canon(os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("usage: fluxbuild build ROOT KUSTOMIZATION.yaml [VARIABLES.json] | fluxbuild canon < YAML")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "fluxbuild: %v\n", err)
		os.Exit(1)
	}
}

func build(root, ksFile, varsFile string, out io.Writer) error {
	data, err := os.ReadFile(ksFile)
	if err != nil {
		return err
	}
	var ks unstructured.Unstructured
	if err := yaml.Unmarshal(data, &ks.Object); err != nil {
		return fmt.Errorf("%s: %w", ksFile, err)
	}
	vars := map[string]string{}
	if varsFile != "" {
		data, err := os.ReadFile(varsFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &vars); err != nil {
			return fmt.Errorf("%s: %w", varsFile, err)
		}
	}

	tmp, err := os.MkdirTemp("", "fluxbuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// The controller extracts the artifact into a fresh directory; a copy stands for it,
	// so the Generator's kustomization.yaml never lands in the repository.
	if err := cp.Copy(root, tmp); err != nil {
		return fmt.Errorf("copying %s: %w", root, err)
	}
	path, _, err := unstructured.NestedString(ks.Object, "spec", "path")
	if err != nil {
		return err
	}
	dirPath := filepath.Join(tmp, filepath.Clean("/"+path))
	if _, err := os.Stat(dirPath); err != nil {
		return fmt.Errorf("kustomization path not found: %w", err)
	}

	if _, err := generator.NewGenerator(tmp, ks).WriteFile(dirPath); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	m, err := generator.SecureBuild(tmp, dirPath, false)
	if err != nil {
		return fmt.Errorf("kustomize build failed: %w", err)
	}

	postBuild, hasPostBuild, err := unstructured.NestedMap(ks.Object, "spec", "postBuild")
	if err != nil {
		return err
	}
	if hasPostBuild {
		// substituteFrom values first, postBuild.substitute over them (LoadVariables, then
		// the inline map, in SubstituteVariables).
		merged := map[string]interface{}{}
		for k, v := range vars {
			merged[k] = v
		}
		if inline, ok := postBuild["substitute"].(map[string]interface{}); ok {
			for k, v := range inline {
				merged[k] = v
			}
		}
		subst := ks.DeepCopy()
		if len(merged) > 0 {
			if err := unstructured.SetNestedField(subst.Object, merged, "spec", "postBuild", "substitute"); err != nil {
				return err
			}
		}
		strategy, _, _ := unstructured.NestedString(ks.Object, "spec", "postBuild", "substituteStrategy")
		for _, res := range m.Resources() {
			if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
				return fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
			}
			outRes, err := generator.SubstituteVariables(context.Background(), nil, *subst, res,
				generator.SubstituteWithDryRun(true),
				generator.SubstituteWithStrict(true),
				generator.SubstituteWithAlways(strategy == "Always"))
			if err != nil {
				return fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
			}
			if outRes != nil {
				if _, err := m.Replace(res); err != nil {
					return err
				}
			}
		}
	}

	labels, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "labels")
	annotations, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "annotations")
	w := bufio.NewWriter(out)
	for _, res := range m.Resources() {
		data, err := res.MarshalJSON()
		if err != nil {
			return err
		}
		var obj unstructured.Unstructured
		if err := obj.UnmarshalJSON(data); err != nil {
			return err
		}
		setCommonMetadata(&obj, labels, annotations)
		line, err := json.Marshal(obj.Object)
		if err != nil {
			return err
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	return w.Flush()
}

// setCommonMetadata is fluxcd/pkg/ssa/utils.SetCommonMetadata: the Kustomization's labels
// and annotations set on every object, over the object's own.
func setCommonMetadata(obj *unstructured.Unstructured, labels, annotations map[string]string) {
	if len(labels) > 0 {
		l := obj.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		for k, v := range labels {
			l[k] = v
		}
		obj.SetLabels(l)
	}
	if len(annotations) > 0 {
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		for k, v := range annotations {
			a[k] = v
		}
		obj.SetAnnotations(a)
	}
}

func canon(in io.Reader, out io.Writer) error {
	nodes, err := (&kio.ByteReader{Reader: in, OmitReaderAnnotations: true}).Read()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	for _, node := range nodes {
		data, err := node.MarshalJSON()
		if err != nil {
			return err
		}
		w.Write(data)
		w.WriteByte('\n')
	}
	return w.Flush()
}
