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
    /// E0201: no region, or not exactly one primary region.
    PrimaryRegion,
    /// E0202: region weights do not add up to 100.
    Weights,
    /// E0203: two regions on the same cluster (their objects would overwrite each other).
    DuplicateCluster,
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
    /// W0503: a custom metric an HPA uses with no source in `metrics` (no adapter rule serves it).
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
    /// E0708: a promotion token on a region that is not the primary.
    PromotionToken,
    /// E0709: a backup schedule that is not a six-field cron expression, seconds first.
    BackupSchedule,
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
    /// E0901: a host name or URL that Istio, Argo CD or the object store would refuse.
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
    /// E1001: a `PodDisruptionBudget` that lets no pod go at the HPA's minimum (every drain blocks).
    PdbBlocksDrain,
    /// E1002: a `PodDisruptionBudget` with both `minAvailable` and `maxUnavailable`.
    PdbBothBounds,
}

/// One row of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: Code,
    /// The stable code, e.g. `E0103`.
    pub id: &'static str,
    pub severity: Severity,
    /// A short name: the heading of the code's section in `docs/diagnostics.md`.
    pub name: &'static str,
    /// What the code reports, in one line.
    pub summary: &'static str,
}

const fn row(
    code: Code,
    id: &'static str,
    severity: Severity,
    name: &'static str,
    summary: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        id,
        severity,
        name,
        summary,
    }
}

use Severity::{Error, Warning};

/// The catalogue: one row per [`Code`], in the enum's order (checked at compile time).
pub const CODES: &[CodeInfo] = &[
    row(
        Code::Syntax,
        "E0001",
        Error,
        "syntax",
        "the file is not valid YAML (syntax, duplicate key, tab indentation, ...)",
    ),
    row(
        Code::Budget,
        "E0002",
        Error,
        "budget",
        "the file is over a size, depth, node or alias budget",
    ),
    row(
        Code::UnknownField,
        "E0003",
        Error,
        "unknown field",
        "a key the profile format does not have",
    ),
    row(
        Code::WrongType,
        "E0004",
        Error,
        "wrong type",
        "a value of the wrong type (a list where a map belongs, text for a number, ...)",
    ),
    row(
        Code::MissingField,
        "E0005",
        Error,
        "missing field",
        "a required field is missing",
    ),
    row(
        Code::UnknownValue,
        "E0006",
        Error,
        "unknown value",
        "a value outside a closed set (an enum)",
    ),
    row(
        Code::UnsupportedVersion,
        "E0007",
        Error,
        "unsupported version",
        "the profile `version` is not one this tool reads",
    ),
    row(
        Code::SetNewName,
        "W0008",
        Warning,
        "set adds a near-miss name",
        "a `--set` adds a region or module whose name is a near miss of an existing one",
    ),
    row(
        Code::SetOverridden,
        "W0009",
        Warning,
        "set overridden in every region",
        "a `--set` changes a module field that every region overrides",
    ),
    row(
        Code::InvalidName,
        "E0101",
        Error,
        "invalid name",
        "a name that is not a DNS-1123 label or subdomain",
    ),
    row(
        Code::ReplicasMin,
        "E0102",
        Error,
        "replicas min",
        "a replica minimum below 1",
    ),
    row(
        Code::ReplicasMax,
        "E0103",
        Error,
        "replicas max",
        "a replica maximum below the minimum",
    ),
    row(
        Code::UnknownModule,
        "E0104",
        Error,
        "unknown module",
        "a region override names a module the profile does not define",
    ),
    row(
        Code::NameTooLong,
        "E0105",
        Error,
        "name too long",
        "a name longer than Kubernetes allows (with what mplp-scale adds to it)",
    ),
    row(
        Code::DuplicateTarget,
        "E0106",
        Error,
        "duplicate HPA target",
        "two modules' HPAs scale the same Deployment (the HPA controller refuses both)",
    ),
    row(
        Code::PrimaryRegion,
        "E0201",
        Error,
        "primary region",
        "no region, or not exactly one primary region",
    ),
    row(
        Code::Weights,
        "E0202",
        Error,
        "weights",
        "region weights do not add up to 100",
    ),
    row(
        Code::DuplicateCluster,
        "E0203",
        Error,
        "duplicate cluster",
        "two regions on the same cluster (their objects would overwrite each other)",
    ),
    row(
        Code::InvalidQuantity,
        "E0301",
        Error,
        "invalid quantity",
        "not a Kubernetes quantity (cpu, memory, storage, metric values)",
    ),
    row(
        Code::RequestOverLimit,
        "E0302",
        Error,
        "request over limit",
        "a request above its limit",
    ),
    row(
        Code::StabilizationWindow,
        "E0401",
        Error,
        "stabilization window",
        "`stabilizationWindowSeconds` outside 0..=3600",
    ),
    row(
        Code::PolicyPeriod,
        "E0402",
        Error,
        "policy period",
        "a policy's `periodSeconds` outside 1..=1800",
    ),
    row(
        Code::PolicyValue,
        "E0403",
        Error,
        "policy value",
        "a policy's `value` of 0 or less",
    ),
    row(
        Code::NoPolicy,
        "E0404",
        Error,
        "no policy",
        "a scaling direction without any policy",
    ),
    row(
        Code::MetricTarget,
        "E0501",
        Error,
        "metric target",
        "a metric target that its source does not accept",
    ),
    row(
        Code::Metrics,
        "E0502",
        Error,
        "metrics",
        "a module without metrics, or two metrics on the same source",
    ),
    row(
        Code::MetricSource,
        "W0503",
        Warning,
        "metric without a source",
        "a custom metric an HPA uses with no source in `metrics` (no adapter rule serves it)",
    ),
    row(
        Code::QueueValueTarget,
        "W0504",
        Warning,
        "value target on a queue",
        "a `value` target on an Object metric marked as a queue or backlog (it ratchets)",
    ),
    row(
        Code::SeriesName,
        "E0505",
        Error,
        "series name",
        "a metric name or series that is not a Prometheus metric name",
    ),
    row(
        Code::VpaBounds,
        "E0601",
        Error,
        "VPA bounds",
        "a VPA `minAllowed` above its `maxAllowed`",
    ),
    row(
        Code::VpaTarget,
        "E0605",
        Error,
        "VPA target",
        "a VPA `targetRef` or `containerName` that is not the workload it must act on",
    ),
    row(
        Code::VpaHpaConflict,
        "E0602",
        Error,
        "VPA fights HPA",
        "an acting VPA on a resource the same workload's HPA scales on",
    ),
    row(
        Code::VpaHpaInitial,
        "W0603",
        Warning,
        "VPA Initial with HPA",
        "VPA `Initial` on a resource the same workload's HPA scales on",
    ),
    row(
        Code::VpaAutoDeprecated,
        "W0604",
        Warning,
        "VPA Auto deprecated",
        "VPA `updateMode: Auto`, deprecated since VPA 1.5",
    ),
    row(
        Code::FixedParameter,
        "E0701",
        Error,
        "fixed parameter",
        "a `PostgreSQL` parameter that the `CloudNativePG` operator manages itself",
    ),
    row(
        Code::SharedBuffers,
        "E0702",
        Error,
        "shared_buffers",
        "the memory request cannot hold `shared_buffers`",
    ),
    row(
        Code::Retention,
        "E0703",
        Error,
        "retention",
        "a backup retention not of the form `30d`, `4w` or `6m`",
    ),
    row(
        Code::InlineSecret,
        "E0704",
        Error,
        "inline secret",
        "secret material written into the profile",
    ),
    row(
        Code::Instances,
        "E0705",
        Error,
        "instances",
        "a CNPG instance count below 1",
    ),
    row(
        Code::SingleInstance,
        "W0706",
        Warning,
        "single instance",
        "a region whose CNPG cluster has one instance (no standby; its PDB blocks drains)",
    ),
    row(
        Code::NotGuaranteed,
        "W0707",
        Warning,
        "not Guaranteed QoS",
        "Postgres requests below their limits (CNPG recommends the Guaranteed QoS class)",
    ),
    row(
        Code::PromotionToken,
        "E0708",
        Error,
        "promotion token",
        "a promotion token on a region that is not the primary",
    ),
    row(
        Code::BackupSchedule,
        "E0709",
        Error,
        "backup schedule",
        "a backup schedule that is not a six-field cron expression, seconds first",
    ),
    row(
        Code::RedisShards,
        "E0801",
        Error,
        "Redis shards",
        "a Redis cluster of fewer than 3 leader shards",
    ),
    row(
        Code::UnpinnedImage,
        "W0802",
        Warning,
        "unpinned image",
        "a container image with no tag, or the `latest` tag",
    ),
    row(
        Code::RedisConfig,
        "E0803",
        Error,
        "redis.conf",
        "a redis.conf key or value that would break the file",
    ),
    row(
        Code::RedisPods,
        "W0804",
        Warning,
        "Redis pod count",
        "`clusterSize` counts leader shards: each gets a follower, so pods are twice as many",
    ),
    row(
        Code::ApiVersion,
        "E0805",
        Error,
        "API version",
        "an API version the operator no longer serves",
    ),
    row(
        Code::RedisPdb,
        "E0806",
        Error,
        "Redis PDB",
        "a Redis PodDisruptionBudget the operator ignores in part, or one that blocks every drain",
    ),
    row(
        Code::RedisMaxmemory,
        "E0807",
        Error,
        "Redis maxmemory",
        "Redis `maxmemory` at or above the memory limit",
    ),
    row(
        Code::RedisNoMaxmemory,
        "W0808",
        Warning,
        "Redis without maxmemory",
        "a Redis memory limit without `maxmemory`",
    ),
    row(
        Code::InvalidHost,
        "E0901",
        Error,
        "invalid host or URL",
        "a host name or URL that Istio, Argo CD or the object store would refuse",
    ),
    row(
        Code::InvalidPort,
        "E0902",
        Error,
        "invalid port",
        "a `traffic.port` outside 1 to 65535",
    ),
    row(
        Code::InvalidChartPath,
        "E0903",
        Error,
        "invalid chart path",
        "a chart `path` that is not a relative path inside the repository",
    ),
    row(
        Code::InvalidRevision,
        "E0904",
        Error,
        "invalid target revision",
        "an Argo CD `targetRevision` that is empty or contains spaces",
    ),
    row(
        Code::InvalidHeader,
        "E0905",
        Error,
        "invalid header name",
        "a `regionHeader` that is not a lower-case header name Istio matches",
    ),
    row(
        Code::InvalidGateway,
        "E0906",
        Error,
        "invalid gateway",
        "a `traffic.gateway` that is not `NAME` or `NAMESPACE/NAME`",
    ),
    row(
        Code::InvalidCluster,
        "E0907",
        Error,
        "invalid cluster",
        "a region's `cluster` that is not an Argo CD cluster and kube context name",
    ),
    row(
        Code::UnpinnedRevision,
        "W0908",
        Warning,
        "unpinned revision",
        "a production profile that deploys an unpinned revision (`HEAD`, a branch)",
    ),
    row(
        Code::RenderedSchema,
        "E0950",
        Error,
        "rendered object refused",
        "a rendered object that its CRD schema or Kubernetes type refuses (`lint --crds`)",
    ),
    row(
        Code::PdbBlocksDrain,
        "E1001",
        Error,
        "budget blocks every drain",
        "a `PodDisruptionBudget` that lets no pod go at the HPA's minimum (every drain blocks)",
    ),
    row(
        Code::PdbBothBounds,
        "E1002",
        Error,
        "budget with both bounds",
        "a `PodDisruptionBudget` with both `minAvailable` and `maxUnavailable`",
    ),
];

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
    const LAST: Code = Code::PdbBothBounds;

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
pub fn parse_allow(text: &str) -> Result<Code, String> {
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
