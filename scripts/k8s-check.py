#!/usr/bin/env python3
"""Checks that the manifests in deploy/k8s/ fit together and fit the server, without a cluster.

usage: k8s-check.py DIR CONFIG_OUT

There is no kubectl or API server here, so this checks what a schema would not: the probes ask
the monitoring listener's port for /healthz and /readyz, the ports agree with the ConfigMap's
configuration, the Service, HPA and PodDisruptionBudget select the Deployment, the grace period
covers preStop plus the drain, the security context is the one docs/deployment.md describes,
and the seccomp profile the pods name is the one node-setup/ installs. It writes the ConfigMap's
ringhttpd.toml to CONFIG_OUT, for `ringhttpd -t`.
"""
import glob
import os
import re
import sys

import yaml


def load(directory):
    docs = []
    for path in sorted(glob.glob(os.path.join(directory, "**", "*.yaml"), recursive=True)):
        for doc in yaml.safe_load_all(open(path)):
            if doc:
                docs.append((os.path.relpath(path, directory), doc))
    return docs


def seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)?", text)
    value, unit = int(m.group(1)), m.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def main():
    directory, config_out = sys.argv[1], sys.argv[2]
    docs = load(directory)
    problems = []

    def check(ok, what):
        if not ok:
            problems.append(what)

    for path, doc in docs:
        for key in ("apiVersion", "kind"):
            check(key in doc, f"{path}: no {key}")
        check(doc.get("metadata", {}).get("name"), f"{path}: no metadata.name")
    by_kind = {}
    for path, doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    deployment = next(d for d in by_kind["Deployment"] if d["metadata"]["name"] == "ringhttpd")
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    labels = pod["metadata"]["labels"]
    check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(),
          "the Deployment's selector does not select its pods")

    configmap = next(d for d in by_kind["ConfigMap"] if d["metadata"]["name"] ==
                     pod["spec"]["volumes"][0]["configMap"]["name"])
    toml = configmap["data"]["ringhttpd.toml"]
    with open(config_out, "w") as f:
        f.write(toml)
    setting = dict(re.findall(r'^(\w+) = "?([^"\n#]*?)"?\s*(?:#.*)?$', toml, re.M))
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    check(mounts.get("config") == "/etc/ringhttpd" and
          container["args"] == ["-c", "/etc/ringhttpd/ringhttpd.toml"],
          "the container does not read the ConfigMap's file")

    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(ports.get("http") == int(setting["listen"].rsplit(":", 1)[1]),
          "containerPort http differs from the configuration's listen")
    check(ports.get("metrics") == int(setting["metrics_listen"].rsplit(":", 1)[1]),
          "containerPort metrics differs from the configuration's metrics_listen")
    check(setting["metrics_listen"].startswith("0.0.0.0:"),
          "metrics_listen must be on the pod's address for the kubelet's probes")
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                        ("readinessProbe", "/readyz")):
        get = container.get(probe, {}).get("httpGet", {})
        check(get.get("path") == path and get.get("port") == "metrics",
              f"{probe} must ask {path} on the metrics port")

    sleep = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    drain = seconds(setting["shutdown_timeout"])
    grace = pod["spec"]["terminationGracePeriodSeconds"]
    check(grace > sleep + drain,
          f"terminationGracePeriodSeconds {grace} does not cover preStop {sleep}s + drain {drain}s")

    security = {**pod["spec"].get("securityContext", {}), **container["securityContext"]}
    check(security.get("runAsNonRoot") is True, "runAsNonRoot is not set")
    check(security.get("readOnlyRootFilesystem") is True, "the root filesystem is writable")
    check(security.get("allowPrivilegeEscalation") is False, "privilege escalation is allowed")
    check(security.get("capabilities", {}).get("drop") == ["ALL"], "capabilities are kept")
    seccomp = security.get("seccompProfile", {})
    check(seccomp.get("type") == "Localhost", "the seccomp profile is not a Localhost one")
    installer = by_kind["DaemonSet"][0]["spec"]["template"]["spec"]
    host_dir = next(v["hostPath"]["path"] for v in installer["volumes"] if "hostPath" in v)
    check(os.path.join("/var/lib/kubelet/seccomp", seccomp.get("localhostProfile", "")) ==
          os.path.join(host_dir, "ringhttpd-seccomp.json"),
          "node-setup/ installs the profile somewhere else than the pods look for it")

    resources = container["resources"]
    check("cpu" in resources["requests"], "no CPU request: the HPA has nothing to scale on")
    check(str(resources["limits"]["cpu"]) == setting.get("threads"),
          "threads in the configuration differs from the CPU limit")

    for service in by_kind["Service"]:
        check(service["spec"]["selector"].items() <= labels.items(),
              "the Service does not select the pods")
        for p in service["spec"]["ports"]:
            check(p["targetPort"] in ports, f"Service targetPort {p['targetPort']} is no port")
        check(all(p["targetPort"] != "metrics" for p in service["spec"]["ports"]),
              "the Service exposes the monitoring listener")
    for hpa in by_kind["HorizontalPodAutoscaler"]:
        check(hpa["apiVersion"] == "autoscaling/v2", "the HPA is not autoscaling/v2")
        target = hpa["spec"]["scaleTargetRef"]
        check((target["kind"], target["name"]) == ("Deployment", "ringhttpd"),
              "the HPA scales something else")
        check(hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu", "the HPA is not on CPU")
    for pdb in by_kind.get("PodDisruptionBudget", []):
        check(pdb["spec"]["selector"]["matchLabels"].items() <= labels.items(),
              "the PodDisruptionBudget does not select the pods")

    print(f"k8s manifests: {len(docs)} objects "
          f"({', '.join(sorted(k + ' x' + str(len(v)) for k, v in by_kind.items()))})")
    for p in problems:
        print("  FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
