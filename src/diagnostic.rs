//! Mistakes in a profile: [`Diagnostic`], its [`Code`] and [`FieldPath`], and how they print.
//!
//! A diagnostic is data: `load` and `validate` collect every one of them (never
//! stopping at the first), and the commands decide how to print them: concise
//! (`file:line:col: error[E0103] path: message`), full (with the source line and
//! a caret, through annotate-snippets), JSON or GitHub workflow commands.
//! Failures of the tool itself are `anyhow` errors, not diagnostics.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::source::{Sources, Span};

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

/// Every diagnostic code. The numbers are stable: a code is never reused for another
/// meaning. `docs/diagnostics.md` has an example of each.
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
    /// E0901: an invalid host name, URL or port for Istio or Argo CD.
    InvalidHost,
    /// E0950: a rendered object that its CRD schema or Kubernetes type refuses (`lint --crds`).
    RenderedSchema,
}

impl Code {
    /// The stable code, e.g. `E0103`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E0001",
            Code::Budget => "E0002",
            Code::UnknownField => "E0003",
            Code::WrongType => "E0004",
            Code::MissingField => "E0005",
            Code::UnknownValue => "E0006",
            Code::UnsupportedVersion => "E0007",
            Code::InvalidName => "E0101",
            Code::ReplicasMin => "E0102",
            Code::ReplicasMax => "E0103",
            Code::UnknownModule => "E0104",
            Code::NameTooLong => "E0105",
            Code::DuplicateTarget => "E0106",
            Code::PrimaryRegion => "E0201",
            Code::Weights => "E0202",
            Code::InvalidQuantity => "E0301",
            Code::RequestOverLimit => "E0302",
            Code::StabilizationWindow => "E0401",
            Code::PolicyPeriod => "E0402",
            Code::PolicyValue => "E0403",
            Code::NoPolicy => "E0404",
            Code::MetricTarget => "E0501",
            Code::Metrics => "E0502",
            Code::VpaBounds => "E0601",
            Code::VpaHpaConflict => "E0602",
            Code::VpaTarget => "E0605",
            Code::VpaHpaInitial => "W0603",
            Code::VpaAutoDeprecated => "W0604",
            Code::FixedParameter => "E0701",
            Code::SharedBuffers => "E0702",
            Code::Retention => "E0703",
            Code::InlineSecret => "E0704",
            Code::Instances => "E0705",
            Code::RedisShards => "E0801",
            Code::UnpinnedImage => "W0802",
            Code::RedisConfig => "E0803",
            Code::RedisPods => "W0804",
            Code::ApiVersion => "E0805",
            Code::InvalidHost => "E0901",
            Code::RenderedSchema => "E0950",
        }
    }

    /// Every code (the catalogue `docs/diagnostics.md` documents).
    #[must_use]
    pub fn all() -> Vec<Code> {
        use Code::{
            ApiVersion, Budget, DuplicateTarget, FixedParameter, InlineSecret, Instances,
            InvalidHost, InvalidName, InvalidQuantity, MetricTarget, Metrics, MissingField,
            NameTooLong, NoPolicy, PolicyPeriod, PolicyValue, PrimaryRegion, RedisConfig,
            RedisPods, RedisShards, RenderedSchema, ReplicasMax, ReplicasMin, RequestOverLimit,
            Retention, SharedBuffers, StabilizationWindow, Syntax, UnknownField, UnknownModule,
            UnknownValue, UnpinnedImage, UnsupportedVersion, VpaAutoDeprecated, VpaBounds,
            VpaHpaConflict, VpaHpaInitial, VpaTarget, Weights, WrongType,
        };
        vec![
            Syntax,
            Budget,
            UnknownField,
            WrongType,
            MissingField,
            UnknownValue,
            UnsupportedVersion,
            InvalidName,
            ReplicasMin,
            ReplicasMax,
            UnknownModule,
            NameTooLong,
            DuplicateTarget,
            PrimaryRegion,
            Weights,
            InvalidQuantity,
            RequestOverLimit,
            StabilizationWindow,
            PolicyPeriod,
            PolicyValue,
            NoPolicy,
            MetricTarget,
            Metrics,
            VpaBounds,
            VpaHpaConflict,
            VpaTarget,
            VpaHpaInitial,
            VpaAutoDeprecated,
            FixedParameter,
            SharedBuffers,
            Retention,
            InlineSecret,
            Instances,
            RedisShards,
            UnpinnedImage,
            RedisConfig,
            RedisPods,
            ApiVersion,
            InvalidHost,
            RenderedSchema,
        ]
    }

    #[must_use]
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where in the profile a value lives: `modules.core.metrics[2].averageValue`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    #[must_use]
    pub fn root() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn segs(&self) -> &[Seg] {
        &self.0
    }

    /// This path with one more key.
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        Self(segs)
    }

    /// This path with one more list index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Self(segs)
    }

    pub fn push(&mut self, seg: Seg) {
        self.0.push(seg);
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// Parse `a.b[2].c` (as `--set` takes it). Keys cannot contain `.` or `[`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let mut segs = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
            if key.is_empty() {
                return None;
            }
            segs.push(Seg::Key(key.to_owned()));
            if !rest.is_empty() {
                rest = rest.strip_suffix(']')?;
                for index in rest.split("][") {
                    segs.push(Seg::Index(index.parse().ok()?));
                }
            }
        }
        Some(Self(segs))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{k:?}]")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// One mistake in a profile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Where the offending value was written (`None` only for the embedded default's own checks).
    pub span: Option<Span>,
    pub code: Code,
    pub path: FieldPath,
    /// What was found and what was expected, lower case, values in backticks.
    pub message: String,
    /// A concrete fix, when there is one.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, path: FieldPath, message: impl Into<String>) -> Self {
        Self {
            span: None,
            code,
            path,
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// `file:line:col: error[E0103] modules.plan.replicas.max: message`
    #[must_use]
    pub fn concise(&self, sources: &Sources) -> String {
        let mut out = String::new();
        if let Some(span) = self.span {
            let _ = write!(out, "{}: ", sources.locate(span));
        }
        let _ = write!(
            out,
            "{}[{}] {}: {}",
            self.severity(),
            self.code,
            self.path,
            self.message
        );
        out
    }

    /// The concise line, then the source line with a caret under the value, then `help:`.
    #[must_use]
    pub fn full(&self, sources: &Sources) -> String {
        use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

        let level = match self.severity() {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = format!("{}: {}", self.path, self.message);
        let location;
        let head = level.primary_title(&title).id(self.code.as_str());
        let group =
            if let Some((span, line)) = self.span.map(|s| (s, sources.line(s).unwrap_or(""))) {
                let start = line
                    .char_indices()
                    .nth(span.col.saturating_sub(1) as usize)
                    .map_or(line.len(), |(i, _)| i);
                let end = token_end(line, start);
                location = sources.name(span.file).to_owned();
                head.element(
                    Snippet::source(line)
                        .line_start(span.line as usize)
                        .path(&location)
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            } else {
                Group::with_title(head)
            };
        let help_group;
        let report: Vec<Group<'_>> = if let Some(help) = &self.help {
            help_group = Group::with_title(Level::HELP.secondary_title(help));
            vec![group, help_group]
        } else {
            vec![group]
        };
        Renderer::plain().render(&report).clone()
    }
}

/// The end of the YAML token starting at `start` (for the caret's width).
fn token_end(line: &str, start: usize) -> usize {
    let rest = &line[start..];
    let len = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |i| i + 2),
        Some(_) => rest
            .find([',', '}', ']', '#', ':'])
            .map_or(rest.len(), |i| i.max(1)),
        None => 0,
    };
    // At least the first character, whole: a caret must not split a multi-byte character.
    let first = rest.chars().next().map_or(0, char::len_utf8);
    start + rest[..len].trim_end().len().max(first)
}

/// Sort diagnostics by file, line and column (those without a position last), then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.is_none(), a.span, a.code, &a.path, &a.message).cmp(&(
            b.span.is_none(),
            b.span,
            b.code,
            &b.path,
            &b.message,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_the_profile() {
        let p = FieldPath::root()
            .key("modules")
            .key("core")
            .key("metrics")
            .index(2)
            .key("averageValue");
        assert_eq!(p.to_string(), "modules.core.metrics[2].averageValue");
        assert_eq!(FieldPath::root().key("a.b").to_string(), "[\"a.b\"]");
        assert_eq!(
            FieldPath::parse("modules.core.metrics[2].averageValue"),
            Some(p)
        );
        assert_eq!(FieldPath::parse("a..b"), None);
        assert_eq!(FieldPath::parse("a[x]"), None);
    }

    #[test]
    fn codes_are_unique_and_severities_follow_the_letter() {
        let all = Code::all();
        let mut seen = std::collections::BTreeSet::new();
        for code in all {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(
                code.severity() == Severity::Warning,
                code.as_str().starts_with('W')
            );
        }
    }

    #[test]
    fn carets_never_split_a_character() {
        // Found by mutating profiles: a value that is only U+2028 (whitespace to trim_end).
        let mut sources = Sources::new();
        let file = sources.add("p.yaml", "  instances: \u{2028}\n");
        for col in 1..=16 {
            let d = Diagnostic::new(Code::WrongType, FieldPath::root(), "x").at(Span {
                file,
                line: 1,
                col,
            });
            let _ = d.full(&sources);
        }
        assert_eq!(token_end("ü", 0), "ü".len());
        assert_eq!(token_end("\u{2028}", 0), 3);
    }

    #[test]
    fn full_form_points_at_the_value() {
        let mut sources = Sources::new();
        let file = sources.add("p.yaml", "modules:\n  plan: {replicas: {min: 3, max: 2}}\n");
        let d = Diagnostic::new(
            Code::ReplicasMax,
            FieldPath::parse("modules.plan.replicas.max").unwrap(),
            "max (`2`) is below min (`3`)",
        )
        .at(Span {
            file,
            line: 2,
            col: 34,
        })
        .help("set `max` to at least `3`");
        assert_eq!(
            d.concise(&sources),
            "p.yaml:2:34: error[E0103] modules.plan.replicas.max: max (`2`) is below min (`3`)"
        );
        let full = d.full(&sources);
        assert!(full.contains("p.yaml:2:34"), "{full}");
        assert!(full.contains('^'), "{full}");
        assert!(full.contains("help: set `max` to at least `3`"), "{full}");
    }
}
