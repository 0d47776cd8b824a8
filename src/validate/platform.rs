//! The Istio traffic settings and the Argo CD Application: host names and URLs (E0901),
//! the port (E0902), the chart path (E0903), the target revision (E0904), the region
//! header (E0905), the gateway (E0906), and the names of the service, namespace and project.

use super::Reporter;
use super::names::{Label, dns_label_problem, dns_subdomain_problem, label, subdomain};
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Platform, Profile, Traffic};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let traffic = &profile.traffic;
    let path = FieldPath::root().key("traffic");
    host(r, traffic, &path);
    label(
        r,
        &Label::value(&traffic.service, path.key("service"), "service", 63),
    );
    gateway(r, traffic, &path);
    region_header(r, traffic, &path);
    port(r, traffic, &path);

    let platform = &profile.platform;
    let path = FieldPath::root().key("platform");
    repo_url(r, platform, &path);
    chart_path(r, platform, &path);
    target_revision(r, platform, &path);
    let argocd = &platform.argocd;
    let path = path.key("argocd");
    url(r, &argocd.server, &path.key("server"));
    label(
        r,
        &Label::value(&argocd.namespace, path.key("namespace"), "namespace", 63),
    );
    subdomain(r, &argocd.project, &path.key("project"), "project");
}

/// E0901: a traffic host that is not a DNS name (a leading `*.` is allowed).
fn host(r: &mut Reporter, traffic: &Traffic, path: &FieldPath) {
    let host = traffic.host.strip_prefix("*.").unwrap_or(&traffic.host);
    if dns_subdomain_problem(host).is_some() || host.len() > 253 {
        r.report(
            Code::InvalidHost,
            &path.key("host"),
            format!(
                "`{}` is not a host name: expected a DNS name such as `api.mplp.example.com`",
                crate::load::shorten(&traffic.host)
            ),
        );
    }
}

/// E0906: a gateway that is not `NAME` or `NAMESPACE/NAME`.
fn gateway(r: &mut Reporter, traffic: &Traffic, path: &FieldPath) {
    let Some(gateway) = &traffic.gateway else {
        return;
    };
    let (ns, name) = gateway
        .split_once('/')
        .map_or((None, gateway.as_str()), |(n, g)| (Some(n), g));
    if ns.is_some_and(|ns| dns_label_problem(ns, 63).is_some())
        || dns_subdomain_problem(name).is_some()
    {
        r.report(
            Code::InvalidGateway,
            &path.key("gateway"),
            format!(
                "`{}` is not a gateway: expected `NAME` or `NAMESPACE/NAME`",
                crate::load::shorten(gateway)
            ),
        );
    }
}

/// E0905: a region header that is not a lower-case header name Istio matches.
fn region_header(r: &mut Reporter, traffic: &Traffic, path: &FieldPath) {
    let header = &traffic.region_header;
    // An HTTP token (RFC 9110) as Istio matches it: lower case; and short enough to be a
    // YAML mapping key in the VirtualService.
    if header.is_empty()
        || header.len() > 256
        || !header.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !header.ends_with(|c: char| c.is_ascii_alphanumeric())
        || !header
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        r.report(
            Code::InvalidHeader,
            &path.key("regionHeader"),
            format!(
                "`{}` is not a header name Istio matches: expected up to 256 lower-case letters, digits and `-`, starting and ending with a letter or digit",
                crate::load::shorten(header)
            ),
        );
    }
}

/// E0902: a service port outside 1 to 65535.
fn port(r: &mut Reporter, traffic: &Traffic, path: &FieldPath) {
    if !(1..=65535).contains(&traffic.port) {
        r.report(
            Code::InvalidPort,
            &path.key("port"),
            format!(
                "port `{}` is out of range: expected 1 to 65535",
                traffic.port
            ),
        );
    }
}

/// E0901: a chart repository URL Argo CD cannot fetch.
fn repo_url(r: &mut Reporter, platform: &Platform, path: &FieldPath) {
    let repo = &platform.repo_url;
    let scheme_ok = ["https://", "http://", "ssh://", "git@", "oci://"]
        .iter()
        .any(|s| repo.starts_with(s));
    if !scheme_ok || repo.contains(char::is_whitespace) || repo.len() < 10 {
        r.report(
            Code::InvalidHost,
            &path.key("repoURL"),
            format!(
                "`{}` is not a repository URL: expected `https://…`, `ssh://…`, `git@…` or `oci://…`",
                crate::load::shorten(repo)
            ),
        );
    }
}

/// E0903: a chart path that is empty, absolute or climbs out of the repository.
fn chart_path(r: &mut Reporter, platform: &Platform, path: &FieldPath) {
    let chart = &platform.path;
    if chart.is_empty() || chart.starts_with('/') || chart.split('/').any(|p| p == "..") {
        r.report(
            Code::InvalidChartPath,
            &path.key("path"),
            format!(
                "`{}` is not a path inside the repository: expected a relative path such as `charts/mplp-global`",
                crate::load::shorten(chart)
            ),
        );
    }
}

/// E0904: a target revision that is empty or has spaces.
fn target_revision(r: &mut Reporter, platform: &Platform, path: &FieldPath) {
    let revision = &platform.target_revision;
    if revision.trim().is_empty() || revision.contains(char::is_whitespace) {
        r.report(
            Code::InvalidRevision,
            &path.key("targetRevision"),
            "targetRevision must be a branch, tag or commit without spaces",
        );
    }
}

/// E0901: a URL that is not `http(s)://HOST[:PORT][/PATH]` (Argo CD server, object store endpoint).
pub(super) fn url(r: &mut Reporter, url: &str, path: &FieldPath) {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', ':']).next().unwrap_or(""));
    let bad_host = host.is_none_or(|h| {
        h.is_empty()
            || dns_subdomain_problem(h).is_some()
                && !h.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    if bad_host || url.contains(char::is_whitespace) {
        r.report(
            Code::InvalidHost,
            path,
            format!(
                "`{}` is not a URL: expected `https://HOST[:PORT][/PATH]`",
                crate::load::shorten(url)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::one;

    #[test]
    fn hosts_and_urls() {
        one(
            "traffic: {host: \"api mplp\"}\n",
            "p.yaml:1:17: error[E0901] traffic.host: `api mplp` is not a host name",
        );
        one(
            "platform: {repoURL: github.com/mplp}\n",
            "error[E0901] platform.repoURL: `github.com/mplp` is not a repository URL",
        );
        one(
            "platform: {argocd: {server: \"argocd.example.com\"}}\n",
            "error[E0901] platform.argocd.server: `argocd.example.com` is not a URL",
        );
    }

    #[test]
    fn port() {
        one(
            "traffic: {port: 70000}\n",
            "p.yaml:1:17: error[E0902] traffic.port: port `70000` is out of range: expected 1 to 65535",
        );
    }

    #[test]
    fn chart_path() {
        one(
            "platform: {path: ../charts}\n",
            "error[E0903] platform.path: `../charts` is not a path inside the repository",
        );
        one("platform: {path: /charts}\n", "error[E0903] platform.path");
    }

    #[test]
    fn target_revision() {
        one(
            "platform: {targetRevision: \"release 1\"}\n",
            "error[E0904] platform.targetRevision: targetRevision must be a branch, tag or commit without spaces",
        );
    }

    #[test]
    fn region_header() {
        one(
            "traffic: {regionHeader: X-Region}\n",
            "error[E0905] traffic.regionHeader: `X-Region` is not a header name Istio matches",
        );
    }

    #[test]
    fn gateway() {
        one(
            "traffic: {gateway: \"istio system/mplp-gateway\"}\n",
            "error[E0906] traffic.gateway: `istio system/mplp-gateway` is not a gateway: expected `NAME` or `NAMESPACE/NAME`",
        );
    }
}
