#!/usr/bin/env python3
"""Turn one rendered GitOps tree into the manifests Flux would apply, for scripts/consumers.

Usage: flux_tree.py TREE OUTDIR

TREE is the root of one cluster's repository (`gitops/<cluster>/`). The entry points are
the directories `clusters/*/` (what `flux bootstrap --path` reconciles). Each is built the
way kustomize-controller builds a path: `kubectl kustomize` when it has a kustomization
file, else every manifest below it (Flux generates a kustomization.yaml then). Every Flux
Kustomization found there whose source is the tree itself (GitRepository `flux-system`)
is built from its `spec.path`, with the kustomize-level fields kustomize-controller applies
(targetNamespace, namePrefix, nameSuffix, patches, images, components, commonMetadata)
and `spec.postBuild` substitution (`substitute`, `substituteFrom` objects found in the
tree). Kustomize directories that no Flux Kustomization reaches are built as well.

Writes into OUTDIR:
  namespaces.yaml   every Namespace the tree defines, plus one for each namespace its
                    objects use that the tree does not define (platform namespaces such as
                    flux-system); listed in namespaces.txt, one name a line
  NNN.yaml          one multi-document file per build, listed in units.tsv as
                    "NNN.yaml<TAB>label"
Prints what it did on standard error. Exit 1 with a message on anything it cannot build.
"""

import base64
import json
import os
import re
import subprocess
import sys

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
FLUX_KUSTOMIZATION_GROUP = "kustomize.toolkit.fluxcd.io/"
# Fields of a Flux Kustomization that change what is applied and are emulated here.
OVERLAY_FIELDS = ("targetNamespace", "namePrefix", "nameSuffix", "patches", "images", "components",
                  "commonMetadata")
# Fields that would change what is applied but cannot be emulated without the controller.
UNSUPPORTED_FIELDS = ("decryption", "kubeConfig")
SOURCE_NAMES = ("flux-system",)
VAR = re.compile(r"\$(\$?)\{([_A-Za-z][_A-Za-z0-9]*)(?:(:?[=-])([^}]*))?\}")


def fail(message):
    print(f"flux_tree: {message}", file=sys.stderr)
    sys.exit(1)


def note(message):
    print(f"  {message}", file=sys.stderr)


def kubectl_kustomize(directory, load_restrictor_none=False):
    command = ["kubectl", "kustomize", directory]
    if load_restrictor_none:
        command += ["--load-restrictor", "LoadRestrictionsNone"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        fail(f"`{' '.join(command)}` failed:\n{result.stderr}{result.stdout}")
    return result.stdout


def has_kustomization(directory):
    return any(os.path.isfile(os.path.join(directory, name)) for name in KUSTOMIZATION_FILES)


def split_documents(text, origin):
    """(raw text, parsed object) of each manifest in a multi-document text. The raw text is
    what gets applied, so nothing is lost or changed by a YAML round trip; the parsed object
    is only looked at."""
    documents = []
    for raw in re.split(r"(?m)^---[ \t]*\n?", text):
        try:
            parsed = yaml.safe_load(raw)
        except yaml.YAMLError as error:
            fail(f"{origin}: not YAML: {error}")
        if isinstance(parsed, dict) and "apiVersion" in parsed and "kind" in parsed:
            documents.append((raw if raw.endswith("\n") else raw + "\n", parsed))
    return documents


def build(directory):
    """The manifests kustomize-controller would build from one directory."""
    if has_kustomization(directory):
        return split_documents(kubectl_kustomize(directory), directory)
    # No kustomization file: Flux includes every manifest below the path, and every
    # subdirectory with a kustomization file as a whole.
    documents = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        if root != directory and has_kustomization(root):
            documents += split_documents(kubectl_kustomize(root), root)
            dirs.clear()
            continue
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as handle:
                    documents += split_documents(handle.read(), path)
    return documents


def join(documents):
    return "".join("---\n" + raw for raw, _ in documents)


def overlay(spec, path, scratch):
    """Build `path` through a kustomization carrying the Flux Kustomization's fields."""
    os.makedirs(scratch)
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                     "resources": ["base.yaml"]}
    with open(os.path.join(scratch, "base.yaml"), "w", encoding="utf-8") as handle:
        handle.write(join(build(path)))
    if "targetNamespace" in spec:
        kustomization["namespace"] = spec["targetNamespace"]
    for field in ("namePrefix", "nameSuffix", "patches", "images"):
        if field in spec:
            kustomization[field] = spec[field]
    if "components" in spec:
        kustomization["components"] = [os.path.normpath(os.path.join(path, c)) for c in spec["components"]]
    metadata = spec.get("commonMetadata") or {}
    if metadata.get("labels"):
        kustomization["labels"] = [{"pairs": metadata["labels"], "includeSelectors": False}]
    if metadata.get("annotations"):
        kustomization["commonAnnotations"] = metadata["annotations"]
    with open(os.path.join(scratch, "kustomization.yaml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(kustomization, handle, sort_keys=False)
    return split_documents(kubectl_kustomize(scratch, load_restrictor_none=True), path)


def substitution_values(kustomization, entry_documents):
    """postBuild variables: substituteFrom objects first, then substitute (which wins)."""
    post_build = kustomization["spec"].get("postBuild") or {}
    values = {}
    namespace = kustomization["metadata"].get("namespace", "default")
    for reference in post_build.get("substituteFrom") or []:
        kind, name = reference.get("kind"), reference.get("name")
        found = [o for _, o in entry_documents
                 if o["kind"] == kind and o["metadata"].get("name") == name
                 and o["metadata"].get("namespace", "default") == namespace]
        if not found:
            if reference.get("optional"):
                note(f"substituteFrom {kind}/{name} (optional) is not in the tree: skipped")
                continue
            fail(f"Kustomization {kustomization['metadata']['name']}: substituteFrom {kind}/{name} "
                 f"is not in the tree, so its variables cannot be substituted")
        data = dict(found[0].get("data") or {})
        if kind == "Secret":
            data = {k: base64.b64decode(v).decode("utf-8") for k, v in data.items()}
            data.update(found[0].get("stringData") or {})
        values.update(data)
    values.update(post_build.get("substitute") or {})
    return {k: str(v) for k, v in values.items()}


def substitute(documents, values, label):
    """Flux's envsubst on each document's text (non-strict): ${var}, ${var:=default},
    ${var:-default}, ${var=default}, ${var-default}; $${var} stays ${var}; an undefined
    variable becomes empty. Objects marked `kustomize.toolkit.fluxcd.io/substitute:
    disabled` are left alone."""
    out = []
    for raw, obj in documents:
        metadata = obj.get("metadata") or {}
        marks = ((metadata.get("annotations") or {}).get("kustomize.toolkit.fluxcd.io/substitute"),
                 (metadata.get("labels") or {}).get("kustomize.toolkit.fluxcd.io/substitute"))
        if "disabled" in marks:
            out.append((raw, obj))
            continue
        undefined = []

        def replace(match):
            escaped, name, operator, default = match.groups()
            if escaped:
                return match.group(0)[1:]
            value = values.get(name)
            if operator and (value is None or (operator.startswith(":") and value == "")):
                return default
            if value is None:
                undefined.append(name)
                return ""
            return value

        text = VAR.sub(replace, raw)
        if undefined:
            note(f"{label}: {obj['kind']}/{metadata.get('name')}: undefined "
                 f"{', '.join(sorted(set(undefined)))} replaced by an empty string (as Flux does)")
        out += split_documents(text, label)
    return out


def main():
    if len(sys.argv) != 3:
        fail("usage: flux_tree.py TREE OUTDIR")
    tree, outdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    clusters_dir = os.path.join(tree, "clusters")
    entries = []
    if os.path.isdir(clusters_dir):
        entries = sorted(os.path.join(clusters_dir, d) for d in os.listdir(clusters_dir)
                         if os.path.isdir(os.path.join(clusters_dir, d)))
    if not entries:
        fail(f"{tree}: no clusters/<cluster>/ directory")

    units = []  # (label, documents)
    built_paths = []
    for entry in entries:
        entry_documents = build(entry)
        units.append((os.path.relpath(entry, tree), entry_documents))
        built_paths.append(entry)
        for _, k in entry_documents:
            if not (k["apiVersion"].startswith(FLUX_KUSTOMIZATION_GROUP) and k["kind"] == "Kustomization"):
                continue
            spec, name = k.get("spec") or {}, k["metadata"]["name"]
            source = spec.get("sourceRef") or {}
            if source.get("kind") != "GitRepository" or source.get("name") not in SOURCE_NAMES:
                note(f"Kustomization {name}: source {source.get('kind')}/{source.get('name')} is not "
                     f"this tree: its path is not built")
                continue
            for field in UNSUPPORTED_FIELDS:
                if field in spec:
                    fail(f"Kustomization {name}: spec.{field} cannot be emulated")
            path = os.path.normpath(os.path.join(tree, spec.get("path", "./")))
            if not os.path.isdir(path):
                fail(f"Kustomization {name}: spec.path {spec.get('path')} is not a directory of the tree")
            if any(field in spec for field in OVERLAY_FIELDS):
                built = overlay(spec, path, os.path.join(outdir, f"overlay-{name}"))
            else:
                built = build(path)
            if "postBuild" in spec:
                built = substitute(built, substitution_values(k, entry_documents), f"Kustomization {name}")
                note(f"Kustomization {name}: postBuild substitution applied")
            units.append((f"Kustomization {name} -> {spec.get('path')}", built))
            built_paths.append(path)

    # Kustomize directories that no Flux Kustomization reaches.
    for root, dirs, _ in os.walk(tree):
        dirs.sort()
        if any(root == p or root.startswith(p + os.sep) for p in built_paths):
            dirs.clear()
            continue
        if has_kustomization(root):
            note(f"{os.path.relpath(root, tree)}: kustomize directory no Flux Kustomization points at")
            units.append((os.path.relpath(root, tree), build(root)))
            built_paths.append(root)
            dirs.clear()

    defined, used = {}, {"flux-system"}  # name -> raw document (first one wins)
    for _, documents in units:
        for raw, obj in documents:
            metadata = obj.get("metadata") or {}
            if obj["apiVersion"] == "v1" and obj["kind"] == "Namespace":
                defined.setdefault(metadata.get("name"), raw)
            elif metadata.get("namespace"):
                used.add(metadata["namespace"])
    platform = sorted(used - set(defined))
    if platform:
        note(f"namespaces used but not defined by the tree, created as platform namespaces: "
             f"{', '.join(platform)}")
    # Applied for real before the dry runs (with the tree's labels, which Pod Security
    # admission reads), since objects can only be created in an existing namespace.
    with open(os.path.join(outdir, "namespaces.txt"), "w", encoding="utf-8") as handle:
        handle.writelines(n + "\n" for n in list(defined) + platform)
    with open(os.path.join(outdir, "namespaces.yaml"), "w", encoding="utf-8") as handle:
        handle.writelines("---\n" + raw for raw in defined.values())
        for n in platform:
            handle.write(f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {json.dumps(n)}\n")
    with open(os.path.join(outdir, "units.tsv"), "w", encoding="utf-8") as index:
        for number, (label, documents) in enumerate(units):
            name = f"{number:03d}.yaml"
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as handle:
                handle.write(join(documents))
            index.write(f"{name}\t{label} ({len(documents)} objects)\n")


if __name__ == "__main__":
    main()
