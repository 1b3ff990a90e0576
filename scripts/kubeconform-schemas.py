#!/usr/bin/env python3
"""Writes kubeconform JSON schemas (draft 4, strict) from Kubernetes OpenAPI v3 documents
and CRD files, for scripts/bench-validate.

    kubeconform-schemas.py OUT KUBERNETES_OPENAPI_DIR CRD_DIR...

One file per kind and version, at OUT/<group>/<kind>_<version>.json with the kind lower-cased
and the group as kubeconform's `{{ .Group }}` gives it (the apiVersion before the `/`, so
`v1` for the core group). Use it as

    kubeconform -schema-location 'OUT/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'

The conversion follows the same rules as fluxprint's own (src/validate/schema.rs), so that
`kubeconform -strict` checks what fluxprint's strict schemas check:
- objects with `properties` are closed (`additionalProperties: false`) unless they set
  `additionalProperties` or `x-kubernetes-preserve-unknown-fields`;
- `x-kubernetes-int-or-string` is integer-or-string, `nullable` admits null,
  `x-kubernetes-embedded-resource` admits apiVersion/kind/metadata;
- `format` is dropped, except that Quantity strings must follow the quantity grammar;
- `$ref`s (`#/components/schemas/X`) become `#/definitions/X`, and each file carries the
  definitions it needs;
- apiVersion and kind must be exactly those of the file; CRD roots get Kubernetes' own
  ObjectMeta for `metadata`.
Only CRD versions with `served: true` are written. Descriptions are left out.
"""

import json
import os
import sys

import yaml

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$"
COMPONENTS = "#/components/schemas/"
DROPPED = {"description", "format", "default", "example", "nullable"}


def strict(node, quantity=False):
    """A converted copy of one OpenAPI schema node (and everything below it)."""
    if isinstance(node, list):
        return [strict(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROPPED or key.startswith("x-kubernetes-"):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith(COMPONENTS):
            out[key] = "#/definitions/" + value[len(COMPONENTS):]
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: strict(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = strict(value)
        else:
            out[key] = value
    if quantity:
        out.pop("oneOf", None)
        out.pop("type", None)
        out["anyOf"] = [{"type": "number"}, {"type": "string", "pattern": QUANTITY_PATTERN}]
    if node.get("x-kubernetes-int-or-string") is True:
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("x-kubernetes-embedded-resource") is True:
        props = out.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def refs(node, found):
    """Adds the definition names that `node` references to `found`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.append(ref[len("#/definitions/"):])
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def closure(definitions, name):
    """`name` and every definition it needs, transitively."""
    out, todo = {}, [name]
    while todo:
        current = todo.pop()
        if current in out or current not in definitions:
            continue
        out[current] = definitions[current]
        refs(out[current], todo)
    return out


def pin(schema, api_version, kind):
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "enum": [api_version]}
    props["kind"] = {"type": "string", "enum": [kind]}


class Writer:
    def __init__(self, out):
        self.out = out
        self.written = {}

    def write(self, api_version, kind, schema, source):
        group, _, version = api_version.rpartition("/")
        group = group or version  # kubeconform's {{ .Group }} of `v1` is `v1`
        rel = os.path.join(group, f"{kind.lower()}_{version}.json")
        if rel in self.written:
            sys.exit(f"kubeconform-schemas: {rel} from both {self.written[rel]} and {source}")
        self.written[rel] = source
        os.makedirs(os.path.join(self.out, group), exist_ok=True)
        schema["$schema"] = "http://json-schema.org/draft-04/schema#"
        with open(os.path.join(self.out, rel), "w", encoding="utf-8") as f:
            json.dump(schema, f, separators=(",", ":"), sort_keys=True)


def kubernetes(writer, openapi_dir):
    """Every top-level kind of every OpenAPI v3 document; returns ObjectMeta's definitions."""
    object_meta = None
    paths = []
    for root, _, files in os.walk(openapi_dir):
        paths += [os.path.join(root, f) for f in files if f.endswith(".json")]
    for path in sorted(paths):
        with open(path, encoding="utf-8") as f:
            components = json.load(f)["components"]["schemas"]
        definitions = {name: strict(s, name == QUANTITY) for name, s in components.items()}
        if object_meta is None and OBJECT_META in definitions:
            object_meta = closure(definitions, OBJECT_META)
        for name, original in components.items():
            if "metadata" not in original.get("properties", {}):
                continue
            for gvk in original.get("x-kubernetes-group-version-kind", []):
                kind = gvk["kind"]
                if kind.endswith("List"):
                    continue
                api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                if not os.path.relpath(path, openapi_dir).startswith(
                    ("api/" if not gvk["group"] else f"apis/{gvk['group']}/") + gvk["version"] + "."
                ):
                    continue  # option kinds that many documents repeat (DeleteOptions, ...)
                defs = json.loads(json.dumps(closure(definitions, name)))
                pin(defs[name], api_version, kind)
                writer.write(api_version, kind, {"allOf": [{"$ref": "#/definitions/" + name}], "definitions": defs},
                             os.path.relpath(path, openapi_dir))
    if object_meta is None:
        sys.exit("kubeconform-schemas: no ObjectMeta in the Kubernetes OpenAPI documents")
    return object_meta


def crds(writer, crd_dir, object_meta):
    paths = []
    for root, _, files in os.walk(crd_dir):
        paths += [os.path.join(root, f) for f in files if f.endswith((".yaml", ".yml"))]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(paths):
        with open(path, encoding="utf-8") as f:
            docs = list(yaml.load_all(f, Loader=loader))
        for doc in docs:
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = doc["spec"]["group"], doc["spec"]["names"]["kind"]
            for version in doc["spec"]["versions"]:
                if version.get("served") is False:
                    continue
                schema = strict(version["schema"]["openAPIV3Schema"])
                props = schema.setdefault("properties", {})
                props["metadata"] = {"$ref": "#/definitions/" + OBJECT_META}
                if "additionalProperties" not in schema and not version["schema"][
                    "openAPIV3Schema"
                ].get("x-kubernetes-preserve-unknown-fields"):
                    schema["additionalProperties"] = False
                api_version = f"{group}/{version['name']}"
                pin(schema, api_version, kind)
                schema["definitions"] = object_meta
                writer.write(api_version, kind, schema, os.path.basename(path))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    out, openapi_dir, crd_dirs = argv[0], argv[1], argv[2:]
    writer = Writer(out)
    object_meta = kubernetes(writer, openapi_dir)
    for d in crd_dirs:
        crds(writer, d, object_meta)
    print(f"kubeconform-schemas: {len(writer.written)} schemas")


if __name__ == "__main__":
    main(sys.argv[1:])
