//! The catalogue of diagnostic codes: one table, [`CODES`], says everything about each.
//!
//! A code's string, severity, name and summary are its row in [`CODES`]; [`Code::as_str`],
//! [`Code::all`], [`Code::severity`] and the documentation test read them from there, so a
//! code cannot exist without a row. The numbers are stable: a code is never reused for
//! another meaning, and `docs/diagnostics.md` has a section (`## E0103: replicas max`) and an
//! example for each.

use std::fmt;

use serde::Serialize;

/// How bad a diagnostic is. Errors stop `render`; warnings only fail `lint --strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Every diagnostic code, in the order of [`CODES`] (which describes each one).
///
/// The order is also how diagnostics at the same position sort, so a new code goes at the
/// end of its group without moving the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// E0001: the file is not valid YAML (syntax, duplicate key, tab indentation, ...).
    Syntax,
    /// E0002: the file is over a size, depth, node or alias budget.
    Budget,
    /// E0003: a key the profile format does not have.
    UnknownField,
    /// E0004: a value of the wrong type (a list where a map belongs, text for a number, ...).
    WrongType,
    /// E0005: a required field is missing.
    MissingField,
    /// E0006: a value outside a closed set (an enum).
    UnknownValue,
    /// E0007: the profile `version` is not one this tool reads.
    UnsupportedVersion,
    /// W0008: a `--set` adds a region or module whose name is a near miss of an existing one.
    SetNewName,
    /// W0009: a `--set` changes a module field that every region overrides.
    SetOverridden,
    /// E0010: a file or directory that could not be read (the others are still checked).
    Unreadable,
    /// E0011: a Kubernetes manifest (`apiVersion` and `kind` at the top level), not a profile.
    NotAProfile,
    /// W0012: a `# mplp-scale: allow` comment that allows nothing (no code, an unknown code, an error's code, a misspelling).
    AllowComment,
    /// W0013: a boolean written as YAML 1.1 writes it (`yes`, `on`, `off`): a YAML 1.2
    /// reader (editors with the JSON Schema) reads a string.
    Yaml11Boolean,
    /// E0101: a name that is not a DNS-1123 label or subdomain.
    InvalidName,
    /// E0102: a replica minimum below 1.
    ReplicasMin,
    /// E0103: a replica maximum below the minimum.
    ReplicasMax,
    /// E0104: a region override names a module the profile does not define.
    UnknownModule,
    /// E0105: a name longer than Kubernetes allows (with what mplp-scale adds to it).
    NameTooLong,
    /// E0106: two modules' HPAs scale the same Deployment (the HPA controller refuses both).
    DuplicateTarget,
    /// E0107: a string holding a character no field takes (a control character, a line
    /// break where one line belongs, a non-character).
    ForbiddenCharacter,
    /// E0108: a string longer than its field takes.
    ValueTooLong,
    /// E0109: a string that is not of its field's type (a label, a Secret key, a path, a
    /// metric name, a duration, a cron schedule, ...).
    InvalidValue,
    /// E0110: two objects of one scope with the same kind, namespace and name (Kubernetes
    /// takes them for one: the second replaces the first).
    SameObject,
    /// E0201: no region, or not exactly one primary region.
    PrimaryRegion,
    /// E0202: region weights do not add up to 100.
    Weights,
    /// E0203: two regions on the same cluster (their objects would overwrite each other).
    DuplicateCluster,
    /// E0204: two regions with the same Istio cluster ID (their subsets select both).
    DuplicateMeshClusterId,
    /// E0301: not a Kubernetes quantity (cpu, memory, storage, metric values).
    InvalidQuantity,
    /// E0302: a request above its limit.
    RequestOverLimit,
    /// E0401: `stabilizationWindowSeconds` outside 0..=3600.
    StabilizationWindow,
    /// E0402: a policy's `periodSeconds` outside 1..=1800.
    PolicyPeriod,
    /// E0403: a policy's `value` of 0 or less.
    PolicyValue,
    /// E0404: a scaling direction without any policy.
    NoPolicy,
    /// E0501: a metric target that its source does not accept.
    MetricTarget,
    /// E0502: a module without metrics, or two metrics on the same source.
    Metrics,
    /// W0503: a custom metric with no source in `metrics` (no adapter rule serves it; KEDA queries its name as a gauge).
    MetricSource,
    /// W0504: a `value` target on an Object metric marked as a queue or backlog (it ratchets).
    QueueValueTarget,
    /// E0505: a metric name or series that is not a Prometheus metric name.
    SeriesName,
    /// E0601: a VPA `minAllowed` above its `maxAllowed`.
    VpaBounds,
    /// E0605: a VPA `targetRef` or `containerName` that is not the workload it must act on.
    VpaTarget,
    /// E0602: an acting VPA on a resource the same workload's HPA scales on.
    VpaHpaConflict,
    /// W0603: VPA `Initial` on a resource the same workload's HPA scales on.
    VpaHpaInitial,
    /// W0604: VPA `updateMode: Auto`, deprecated since VPA 1.5.
    VpaAutoDeprecated,
    /// E0701: a `PostgreSQL` parameter that the `CloudNativePG` operator manages itself.
    FixedParameter,
    /// E0702: the memory request cannot hold `shared_buffers`.
    SharedBuffers,
    /// E0703: a backup retention not of the form `30d`, `4w` or `6m`.
    Retention,
    /// E0704: secret material written into the profile.
    InlineSecret,
    /// E0705: a CNPG instance count below 1.
    Instances,
    /// W0706: a region whose CNPG cluster has one instance (no standby; its PDB blocks drains).
    SingleInstance,
    /// W0707: Postgres requests below their limits (CNPG recommends the Guaranteed `QoS` class).
    NotGuaranteed,
    /// E0708: a switchover promotion token that the CNPG webhook refuses.
    PromotionToken,
    /// E0709: a backup schedule that is not a six-field cron expression, seconds first.
    BackupSchedule,
    /// E0710: a switchover to no region, to the primary, or without the distributed topology.
    SwitchoverTarget,
    /// W0711: (`diff`) a region's `Cluster` becomes primary without a promotion token.
    PromotedWithoutToken,
    /// W0712: (`diff`) an object that holds data is removed or renamed.
    DataRemoved,
    /// E0801: a Redis cluster of fewer than 3 leader shards.
    RedisShards,
    /// W0802: a container image with no tag, or the `latest` tag.
    UnpinnedImage,
    /// E0803: a redis.conf key or value that would break the file.
    RedisConfig,
    /// W0804: `clusterSize` counts leader shards: each gets a follower, so pods are twice as many.
    RedisPods,
    /// E0805: an API version the operator no longer serves.
    ApiVersion,
    /// E0806: a Redis PodDisruptionBudget the operator ignores in part, or one that blocks every drain.
    RedisPdb,
    /// E0807: Redis `maxmemory` at or above the memory limit.
    RedisMaxmemory,
    /// W0808: a Redis memory limit without `maxmemory`.
    RedisNoMaxmemory,
    /// E0901: a host name or URL that Istio, Argo CD, KEDA or the object store would refuse.
    InvalidHost,
    /// E0902: a `traffic.port` outside 1 to 65535.
    InvalidPort,
    /// E0903: a chart `path` that is not a relative path inside the repository.
    InvalidChartPath,
    /// E0904: an Argo CD `targetRevision` that is empty or contains spaces.
    InvalidRevision,
    /// E0905: a `regionHeader` that is not a lower-case header name Istio matches.
    InvalidHeader,
    /// E0906: a `traffic.gateway` that is not `NAME` or `NAMESPACE/NAME`.
    InvalidGateway,
    /// E0907: a region's `cluster` that is not an Argo CD cluster and kube context name.
    InvalidCluster,
    /// W0908: a production profile that deploys an unpinned revision (`HEAD`, a branch).
    UnpinnedRevision,
    /// E0950: a rendered object that its CRD schema or Kubernetes type refuses (`lint --crds`).
    RenderedSchema,
    /// E0951: a rendered kind that no CRD in `lint --crds DIR` serves.
    MissingCrd,
    /// E1001: a `PodDisruptionBudget` that lets no pod go at the HPA's minimum (every drain blocks).
    PdbBlocksDrain,
    /// E1002: a `PodDisruptionBudget` with both `minAvailable` and `maxUnavailable`.
    PdbBothBounds,
    /// E1101: a target version that is not `MAJOR.MINOR` (or `MAJOR.MINOR.PATCH`).
    InvalidVersion,
    /// E1102: a target older than what the topology needs.
    TargetTooOld,
    /// W1103: a field the target cannot serve, left out or rendered in its older form.
    LeftOut,
    /// W1104: a module KEDA scales to zero without an activation threshold.
    KedaNoActivation,
    /// E1105: a module KEDA scales to zero on cpu or memory only.
    KedaResourceToZero,
}

use super::catalogue::{CODES, CodeInfo};

// Each row sits at its code's index, so `Code::info` is a lookup and no code is left out
// of `Code::all` (a variant added without its row moves the next one off its index, or,
// at the end, is missing from the table length checked here).
const _: () = {
    let mut i = 0;
    while i < CODES.len() {
        assert!(
            CODES[i].code as usize == i,
            "CODES is not in the order of Code"
        );
        i += 1;
    }
    assert!(
        CODES.len() == Code::LAST as usize + 1,
        "a Code has no row in CODES"
    );
};

impl Code {
    /// The last variant (for the compile-time check that every variant has a row).
    const LAST: Code = Code::KedaResourceToZero;

    /// This code's row in [`CODES`].
    #[must_use]
    pub fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }

    /// The stable code, e.g. `E0103`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.info().id
    }

    /// Every code (the catalogue `docs/diagnostics.md` documents).
    pub fn all() -> impl Iterator<Item = Code> {
        CODES.iter().map(|info| info.code)
    }

    #[must_use]
    pub fn severity(self) -> Severity {
        self.info().severity
    }
}

/// Parse `--allow CODE` (clap's value parser): a warning's code, e.g. `W0804`. Errors
/// cannot be allowed: a profile with one is not rendered.
///
/// # Errors
///
/// The reason, when CODE is not a code, or is an error's.
pub(crate) fn parse_allow(text: &str) -> Result<Code, String> {
    let wanted = text.trim().to_ascii_uppercase();
    match CODES.iter().find(|info| info.id == wanted) {
        Some(info) if info.severity == Severity::Warning => Ok(info.code),
        Some(info) => Err(format!(
            "`{}` is an error ({}): only warnings (`W…`) can be allowed",
            info.id, info.name
        )),
        None => Err(format!(
            "`{text}` is not a diagnostic code: expected a warning's code such as `W0804`"
        )),
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_warnings_start_with_w() {
        let mut seen = std::collections::BTreeSet::new();
        for info in CODES {
            assert!(seen.insert(info.id), "duplicate {}", info.id);
            assert_eq!(
                info.severity == Severity::Warning,
                info.id.starts_with('W'),
                "{}",
                info.id
            );
            assert!(!info.name.is_empty() && !info.summary.ends_with('.'));
        }
    }
}
