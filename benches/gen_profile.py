#!/usr/bin/env python3
"""Write a valid mplp-scale profile with REGIONS regions and MODULES modules.

    python3 benches/gen_profile.py REGIONS MODULES > profile.yaml

Every region gets one HPA and one PodDisruptionBudget per module, so the render holds
REGIONS × MODULES HPAs (plus a policies ConfigMap, the metrics-adapter rules, Postgres and
Redis objects per region). Modules alternate between
the shapes of the production profile (cpu only; cpu + pods metric; cpu, memory, pods and
an object metric with a VPA) so that the documents have the production's size.
Deterministic: the same arguments give the same file.
"""
import sys


def main():
    regions, modules = int(sys.argv[1]), int(sys.argv[2])
    out = []
    w = out.append
    w("version: 1")
    w(f"name: bench-{regions}x{modules}")
    w("namespace: mplp-production")
    w("platform:")
    w("  repoURL: https://github.com/mplp/mplp-helm")
    w("  path: charts/mplp-global")
    w("  network: {crossRegionLatency: 100ms, replicationFactor: 2, consistencyLevel: eventual}")
    w("traffic: {host: api.mplp.example.com, gateway: mplp-gateway, service: mplp-core-service}")
    w("regions:")
    base, rest = divmod(100, regions)
    for r in range(regions):
        weight = base + (1 if r < rest else 0)
        w(f"  region-{r:03d}:")
        if r == 0:
            w("    primary: true")
        w(f"    weight: {weight}")
        w("    replicas: {min: 2, max: 20}")
        w("    resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 2000m, memory: 4Gi}}")
        w(f"    postgres: {{instances: {3 if r == 0 else 2}}}")
    w("defaults:")
    w("  metrics: [{resource: cpu, utilization: 70}]")
    w("  behavior:")
    w("    scaleUp: {stabilizationWindowSeconds: 60, selectPolicy: Max, policies: [{type: Percent, value: 100, periodSeconds: 15}, {type: Pods, value: 4, periodSeconds: 15}]}")
    w("    scaleDown: {stabilizationWindowSeconds: 300, selectPolicy: Min, policies: [{type: Percent, value: 10, periodSeconds: 60}]}")
    # Every custom metric has a source: one metrics-adapter rule each, in every region.
    w("metrics:")
    w("  mplp_requests_per_second: {series: mplp_requests_total, kind: counter}")
    w("  mplp_queue_length: {kind: gauge}")
    for m in range(1, modules, 3):
        series = f"mplp_module_{m:03d}_requests"
        w(f"  {series}_per_second: {{series: {series}_total, kind: counter}}")
    w("modules:")
    for m in range(modules):
        name = "core" if m == 0 else f"module-{m:03d}"
        w(f"  {name}:")
        w(f"    replicas: {{min: 2, max: {10 + m % 10}}}")
        if m % 3 == 1:
            w("    metrics:")
            w("      - {resource: cpu, utilization: 60}")
            w(f"      - {{pods: mplp_{name.replace('-', '_')}_requests_per_second, averageValue: \"50\"}}")
        elif m % 3 == 2:
            w("    metrics:")
            w("      - {resource: cpu, utilization: 70}")
            w("      - {resource: memory, utilization: 80}")
            w("      - {pods: mplp_requests_per_second, averageValue: \"100\"}")
            w("      - {object: mplp_queue_length, describedObject: {kind: Service, name: mplp-core-service}, value: \"100\"}")
            w("    vpa: {updateMode: \"Off\", minAllowed: {cpu: 100m, memory: 128Mi}, maxAllowed: {cpu: 4000m, memory: 8Gi}}")
            w("    policy: [{metric: queue_length, threshold: 50, scaleUpFactor: 2}]")
    w("postgres:")
    w("  parameters: {max_connections: \"200\", shared_buffers: 256MB}")
    w("  resources: {requests: {cpu: 2000m, memory: 4Gi}, limits: {cpu: 2000m, memory: 4Gi}}")
    w("  storage: {size: 100Gi, storageClass: fast-ssd}")
    w("  backup: {destinationPath: \"s3://mplp-backups/postgresql\", credentialsSecret: backup-credentials, retention: 30d}")
    w("redis:")
    w("  image: quay.io/opstree/redis:v7.0.15")
    w("  exporter: {enabled: true, image: quay.io/opstree/redis-exporter:v1.44.0}")
    w("  resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 2000m, memory: 4Gi}}")
    w("  storage: {size: 20Gi, storageClass: fast-ssd}")
    w("  config: {maxmemory: 3gb, maxmemory-policy: allkeys-lru}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
