"""A small renderer for deploy/k8s/kustomization.yaml, enough for the tests.

kustomize is not a PyPI or Debian package, so the tests cannot count on it. This
renderer implements the subset that the kustomization uses — ``resources`` (files),
``images`` and ``configMapGenerator`` with ``files`` — including kustomize's content
hash suffix and the rewriting of references to generated ConfigMaps, so that its output
is what `kubectl kustomize` prints (a test compares the two when kubectl is present).
Anything else in the kustomization makes it raise, rather than silently differ.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_KEYS = {"apiVersion", "kind", "resources", "images", "configMapGenerator"}


def kustomize_hash(data: dict[str, str]) -> str:
    """kustomize's suffix: sha256 of Go's json.Marshal of {data, kind, name}, 10 chars.

    The generator hashes the ConfigMap before it has a name, so ``name`` is empty.
    """
    encoded = json.dumps(
        {"data": data, "kind": "ConfigMap", "name": ""},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    # Go's encoder escapes these for HTML safety; json.dumps does not.
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(char, escape)
    encoded = encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    digest = hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:10]
    return digest.translate(str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}))


def generator_files(kustomization_dir: Path) -> dict[tuple[str, str], list[Path]]:
    """(namespace, generator name) -> the files it turns into one ConfigMap."""
    spec = _load(kustomization_dir)
    return {
        (gen.get("namespace", "default"), gen["name"]): [
            (kustomization_dir / f).resolve() for f in gen["files"]
        ]
        for gen in spec.get("configMapGenerator", [])
    }


def render(kustomization_dir: Path) -> list[dict[str, Any]]:
    spec = _load(kustomization_dir)
    objects: list[dict[str, Any]] = []
    for resource in spec.get("resources", []):
        path = (kustomization_dir / resource).resolve()
        if not path.is_file():
            raise ValueError(f"resource {resource} is not a file (directories unsupported)")
        objects.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)

    renamed: dict[tuple[str, str], str] = {}
    for gen in spec.get("configMapGenerator", []):
        unknown = set(gen) - {"name", "namespace", "files"}
        if unknown:
            raise ValueError(f"configMapGenerator keys not supported here: {unknown}")
        namespace = gen.get("namespace", "default")
        data: dict[str, str] = {}
        for f in gen["files"]:
            key, _, source = f.rpartition("=") if "=" in f else ("", "", f)
            path = (kustomization_dir / source).resolve()
            data[key or path.name] = path.read_bytes().decode("utf-8")
        name = f"{gen['name']}-{kustomize_hash(data)}"
        renamed[(namespace, gen["name"])] = name
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": namespace},
                "data": data,
            }
        )

    images = {i["name"]: i for i in spec.get("images", [])}
    for obj in objects:
        pod = _pod_spec(obj)
        if pod is None:
            continue
        namespace = obj["metadata"].get("namespace", "default")
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            image = images.get(container["image"].split(":")[0])
            if image:
                container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
        for ref in _configmap_refs(pod):
            ref["name"] = renamed.get((namespace, ref["name"]), ref["name"])
    return objects


def _load(kustomization_dir: Path) -> dict[str, Any]:
    spec = yaml.safe_load((kustomization_dir / "kustomization.yaml").read_text())
    unknown = set(spec) - SUPPORTED_KEYS
    if unknown:
        raise ValueError(f"kustomization keys this renderer does not implement: {unknown}")
    return copy.deepcopy(spec)


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("kind") in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        return obj["spec"]["template"]["spec"]
    return None


def _configmap_refs(pod: dict[str, Any]) -> list[dict[str, Any]]:
    refs = []
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            refs.append(volume["configMap"])
        for source in volume.get("projected", {}).get("sources", []):
            if "configMap" in source:
                refs.append(source["configMap"])
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("configMapKeyRef")
            if ref:
                refs.append(ref)
        for env_from in container.get("envFrom", []):
            if "configMapRef" in env_from:
                refs.append(env_from["configMapRef"])
    return refs
