#!/usr/bin/env python3
"""Flux's own build as the oracle of `fluxprint build`, for scripts/consumers.

Usage: flux_oracle.py FLUXPRINT FLUXBUILD WORKDIR EXPECTED REPO...

For each repository REPO (a directory of tests/fixtures/flux/), `fluxprint build REPO` gives
every Flux Kustomization as fluxprint built it (the entry point builds itself; a child is in
its parent's output, after the parent's patches and substitution). Each one is then built
twice:

- by FLUXBUILD (tests/consumers/fluxbuild: Flux's kustomize library, as kustomize-controller
  v1.9 calls it), given the Kustomization and the data of its `postBuild.substituteFrom`
  ConfigMaps and Secrets, looked up here among the objects fluxprint built (in the
  Kustomization's namespace, later references over earlier ones, as the controller merges
  them);
- by `fluxprint build REPO --kustomization NS/NAME`.

Both sides are read with kustomize's YAML reader (`fluxbuild canon`) and compared as
multisets of canonical JSON (order-insensitive). Any difference is printed with both sides
and the run exits 1, unless EXPECTED lists it: a file of known differences, one a line,
`REPO[/CLUSTER] NAMESPACE/NAME  # why` (bugs of fluxprint's builder, its work list). The list
must be exact: an entry whose Kustomization builds the same on both sides (fixed) or does not
exist fails the run as stale, so a fix shows up. Kustomizations whose source is neither a GitRepository
nor the sync source of a FluxInstance of the repository (both hold the repository itself)
are not compared (fluxprint does not build them either: GO314).
"""

import base64
import json
import os
import subprocess
import sys

FLUX_KS = "kustomize.toolkit.fluxcd.io/"


def run(command, what):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return None, f"{what} failed (exit {result.returncode}):\n{result.stderr}{result.stdout}"
    return result.stdout, None


def canon(fluxbuild, text):
    result = subprocess.run([fluxbuild, "canon"], input=text, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"flux_oracle: fluxbuild canon failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def ident(obj):
    meta = obj.get("metadata") or {}
    return f"{obj.get('apiVersion')}/{obj.get('kind')} {meta.get('namespace', '')}/{meta.get('name')}"


def key(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def pretty(obj):
    return json.dumps(obj, sort_keys=True, indent=2)


def variables(ks, objects):
    """The data of the Kustomization's substituteFrom objects; None and a message when a
    required one is not among them."""
    namespace = ks["metadata"].get("namespace", "")
    found = {}
    for ref in ((ks.get("spec") or {}).get("postBuild") or {}).get("substituteFrom") or []:
        match = [o for o in objects
                 if o.get("apiVersion") == "v1" and o.get("kind") == ref.get("kind")
                 and (o.get("metadata") or {}).get("name") == ref.get("name")
                 and (o.get("metadata") or {}).get("namespace", "") == namespace]
        if not match:
            if ref.get("optional"):
                continue
            return None, f"{ref.get('kind')}/{ref.get('name')} not found in {namespace}"
        obj = match[-1]
        if ref["kind"] == "ConfigMap":
            for k, v in (obj.get("data") or {}).items():
                found[k] = str(v)
        else:
            data = {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
            data.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
            found.update(data)
    return found, None


def diff(name, flux, ours):
    """Lines describing the difference of two object lists, or [] when they are equal."""
    fk, ok = sorted(map(key, flux)), sorted(map(key, ours))
    if fk == ok:
        return []
    lines = [f"DIFFERENT: {name}: Flux built {len(flux)} objects, fluxprint {len(ours)}"]
    only_flux = [o for o in flux if key(o) not in ok]
    only_ours = [o for o in ours if key(o) not in fk]
    by_id = {}
    for o in only_ours:
        by_id.setdefault(ident(o), []).append(o)
    for o in only_flux:
        mine = by_id.get(ident(o))
        if mine:
            other = mine.pop(0)
            fields = "\n".join(f"    {p}: Flux {a}, fluxprint {b}" for p, a, b in field_diff(o, other))
            lines.append(f"  {ident(o)} differs:\n{fields}\n  --- Flux\n{indent(pretty(o))}\n  --- fluxprint\n{indent(pretty(other))}")
        else:
            lines.append(f"  only Flux builds {ident(o)}:\n{indent(pretty(o))}")
    for rest in by_id.values():
        for o in rest:
            lines.append(f"  only fluxprint builds {ident(o)}:\n{indent(pretty(o))}")
    counts = [(k, fk.count(k), ok.count(k)) for k in set(fk) | set(ok) if fk.count(k) != ok.count(k) and k in fk and k in ok]
    for k, a, b in counts:
        lines.append(f"  {ident(json.loads(k))}: {a} times in Flux's build, {b} in fluxprint's")
    return lines


def main():
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    fluxprint, fluxbuild, work, expected_file = sys.argv[1:5]
    expected = {}
    with open(expected_file) as f:
        for number, line in enumerate(f, 1):
            entry, _, reason = line.partition("#")
            if entry.strip():
                fields = entry.split()
                if len(fields) != 2 or not reason.strip():
                    raise SystemExit(f"flux_oracle: {expected_file}:{number}: want `REPO[/CLUSTER] NS/NAME  # reason`")
                expected[" ".join(fields)] = reason.strip()
    failures = compared = 0
    global EXPECTED, DIFFERENT
    EXPECTED, DIFFERENT = expected, set()
    for repo in sys.argv[5:]:
        clusters_dir = os.path.join(repo, "clusters")
        clusters = sorted(d for d in os.listdir(clusters_dir)
                          if os.path.isdir(os.path.join(clusters_dir, d))) if os.path.isdir(clusters_dir) else []
        for cluster in clusters or [None]:
            name = os.path.basename(os.path.normpath(repo)) + (f"/{cluster}" if cluster else "")
            f, c = compare_repo(fluxprint, fluxbuild, work, repo, cluster, name)
            failures += f
            compared += c
    known = 0
    for entry, reason in sorted(expected.items()):
        if entry in DIFFERENT:
            known += 1
        else:
            print(f"STALE: {expected_file}: `{entry}` ({reason}) builds the same now, or does not exist: remove the entry", file=sys.stderr)
            failures += 1
    print(f"flux_oracle: {compared} Kustomizations compared, {compared - len(DIFFERENT)} the same, "
          f"{known} known differences ({os.path.basename(expected_file)}), {failures} failures", file=sys.stderr)
    sys.exit(1 if failures else 0)


EXPECTED = {}
DIFFERENT = set()


def report(label, name, lines):
    """A difference: a failure (1) unless it is listed as expected (0)."""
    entry = f"{label} {name}"
    DIFFERENT.add(entry)
    if entry in EXPECTED:
        print(f"  expected difference: {entry} ({EXPECTED[entry]}): " + lines[0].split(": ", 1)[-1].replace("DIFFERENT: ", ""), file=sys.stderr)
        for line in lines[1:]:
            if not line.startswith("  ---") and not line.startswith("      "):
                print("  " + line.split("\n  ---")[0], file=sys.stderr)
        return 0
    print("\n".join(lines), file=sys.stderr)
    return 1


def instance_sources(objects):
    """The sources FluxInstances create for their sync: (kind, name, namespace), named
    `spec.sync.name` or after the instance's namespace, as the Flux Operator names them."""
    out = set()
    for o in objects:
        if o.get("kind") == "FluxInstance" and str(o.get("apiVersion", "")).startswith("fluxcd.controlplane.io/"):
            sync = (o.get("spec") or {}).get("sync") or {}
            namespace = (o.get("metadata") or {}).get("namespace", "")
            if sync.get("kind"):
                out.add((sync["kind"], sync.get("name") or namespace, namespace))
    return out


def compare_repo(fluxprint, fluxbuild, work, repo, cluster, label):
    """Compares every Kustomization of one cluster of a repository (of the whole repository
    when it has no clusters/ directory): (failures, compared)."""
    failures = compared = 0
    select = ["--cluster", cluster] if cluster else []
    if True:
        # Exit 2 names Kustomizations that do not build; the others are printed and compared
        # (each failing one must fail Flux's build too, below).
        result = subprocess.run([fluxprint, "build", repo] + select, capture_output=True, text=True, timeout=300)
        if result.returncode not in (0, 2):
            print(f"FAILED: {label}: fluxprint build failed (exit {result.returncode}):\n{result.stderr}", file=sys.stderr)
            return 1, 0
        text = result.stdout
        objects = canon(fluxbuild, text)
        seen = {}
        for obj in objects:
            if obj.get("kind") == "Kustomization" and str(obj.get("apiVersion", "")).startswith(FLUX_KS):
                meta = obj["metadata"]
                seen.setdefault(f"{meta.get('namespace', '')}/{meta['name']}", obj)
        if not seen:
            print(f"FAILED: {label}: no Flux Kustomization built", file=sys.stderr)
            failures += 1
        for name, ks in sorted(seen.items()):
            what = f"{label}: Kustomization {name}"
            source = (ks.get("spec") or {}).get("sourceRef") or {}
            source_id = (source.get("kind"), source.get("name"),
                         source.get("namespace") or ks["metadata"].get("namespace", ""))
            if source.get("kind") != "GitRepository" and source_id not in instance_sources(objects):
                print(f"  {what}: not compared (source {source.get('kind')}/{source.get('name')})", file=sys.stderr)
                continue
            compared += 1
            slug = f"{label}-{name}".replace("/", "-")
            ks_file = os.path.join(work, f"{slug}.ks.json")
            with open(ks_file, "w") as f:
                json.dump(ks, f)
            command = [fluxbuild, "build", repo, ks_file]
            vars_found, missing = variables(ks, objects)
            if missing:
                print(f"FAILED: {what}: substituteFrom {missing} (Flux would not build it)", file=sys.stderr)
                failures += 1
                continue
            if (ks.get("spec") or {}).get("postBuild", {}).get("substituteFrom"):
                vars_file = os.path.join(work, f"{slug}.vars.json")
                with open(vars_file, "w") as f:
                    json.dump(vars_found, f)
                command.append(vars_file)
            flux_text, error = run(command, "Flux's build")
            ours_text, our_error = run([fluxprint, "build", repo, "--kustomization", name] + select,
                                       "fluxprint build --kustomization")
            if error or our_error:
                if error and our_error:
                    print(f"  {what}: both fail to build", file=sys.stderr)
                    continue
                failures += report(label, name, [f"DIFFERENT: {what}: {error or our_error}"])
                continue
            flux = [json.loads(line) for line in flux_text.splitlines() if line.strip()]
            ours = canon(fluxbuild, ours_text)
            lines = diff(what, flux, ours)
            if lines:
                failures += report(label, name, lines)
            else:
                print(f"  {what}: same {len(flux)} objects", file=sys.stderr)
    return failures, compared


def field_diff(a, b, path=""):
    """(path, Flux's value, fluxprint's value) of every leaf that differs; `absent` where a
    side has none."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += field_diff(a.get(k, MISSING), b.get(k, MISSING), f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += field_diff(x, y, f"{path}[{i}]")
        return out
    if a == b and type(a) is type(b):
        return []
    show = lambda v: "absent" if v is MISSING else json.dumps(v)
    return [(path or ".", show(a), show(b))]


MISSING = object()


def indent(text):
    return "\n".join("    " + line for line in text.splitlines())


if __name__ == "__main__":
    main()
