//! The Istio traffic settings and the Argo CD Application: host names and URLs (E0901),
//! the port (E0902), the chart path (E0903), the target revision (E0904), the region
//! header (E0905), the gateway (E0906), and the names of the service, namespace and project.

use super::names::{Label, dns_label_problem, dns_subdomain_problem, label, subdomain};
use super::{Reporter, Rule};
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Profile, Traffic};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let traffic = &profile.traffic;
    let path = FieldPath::root().key("traffic");
    HOST.check(r, &traffic.host, &path.key("host"));
    label(
        r,
        &Label::value(&traffic.service, path.key("service"), "service", 63),
    );
    if let Some(gateway) = &traffic.gateway {
        GATEWAY.check(r, gateway, &path.key("gateway"));
    }
    REGION_HEADER.check(r, &traffic.region_header, &path.key("regionHeader"));
    port(r, traffic, &path);

    let platform = &profile.platform;
    let path = FieldPath::root().key("platform");
    REPO_URL.check(r, &platform.repo_url, &path.key("repoURL"));
    chart_path(r, &platform.path, &path.key("path"));
    target_revision(r, &platform.target_revision, &path.key("targetRevision"));
    // The rendered tree's repository and revision, when they are not the chart's.
    let manifests = &platform.manifests;
    let at = path.key("manifests");
    if let Some(repo_url) = &manifests.repo_url {
        REPO_URL.check(r, repo_url, &at.key("repoURL"));
    }
    if let Some(revision) = &manifests.target_revision {
        target_revision(r, revision, &at.key("targetRevision"));
    }
    let argocd = &platform.argocd;
    let path = path.key("argocd");
    URL.check(r, &argocd.server, &path.key("server"));
    label(
        r,
        &Label::value(&argocd.namespace, path.key("namespace"), "namespace", 63),
    );
    subdomain(r, &argocd.project, &path.key("project"), "project");
}

/// E0901: a traffic host that is not a DNS name (a leading `*.` is allowed).
const HOST: Rule = Rule {
    code: Code::InvalidHost,
    not_a: "a host name: expected a DNS name such as `api.mplp.example.com`",
    ok: |host| {
        let host = host.strip_prefix("*.").unwrap_or(host);
        dns_subdomain_problem(host).is_none() && host.len() <= 253
    },
};

/// E0906: a gateway that is not `NAME` or `NAMESPACE/NAME`.
const GATEWAY: Rule = Rule {
    code: Code::InvalidGateway,
    not_a: "a gateway: expected `NAME` or `NAMESPACE/NAME`",
    ok: |gateway| {
        let (ns, name) = gateway
            .split_once('/')
            .map_or((None, gateway), |(n, g)| (Some(n), g));
        ns.is_none_or(|ns| dns_label_problem(ns, 63).is_none())
            && dns_subdomain_problem(name).is_none()
    },
};

/// E0905: a region header that is not a lower-case header name Istio matches.
const REGION_HEADER: Rule = Rule {
    code: Code::InvalidHeader,
    not_a: "a header name Istio matches: expected up to 256 lower-case letters, digits and `-`, starting and ending with a letter or digit",
    // An HTTP token (RFC 9110) as Istio matches it: lower case; and short enough to be a
    // YAML mapping key in the VirtualService.
    ok: |header| {
        !header.is_empty()
            && header.len() <= 256
            && header.starts_with(|c: char| c.is_ascii_alphanumeric())
            && header.ends_with(|c: char| c.is_ascii_alphanumeric())
            && header
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    },
};

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
const REPO_URL: Rule = Rule {
    code: Code::InvalidHost,
    not_a: "a repository URL: expected `https://…`, `ssh://…`, `git@…` or `oci://…`",
    ok: |repo| {
        let scheme_ok = ["https://", "http://", "ssh://", "git@", "oci://"]
            .iter()
            .any(|s| repo.starts_with(s));
        scheme_ok && !repo.contains(char::is_whitespace) && repo.len() >= 10
    },
};

/// E0903: a chart path that is empty, absolute, climbs out of the repository, or holds
/// a character `platform.manifests.path` may not (letters, digits, `-`, `_`, `.`, `/`:
/// the path reaches Argo CD's Application, and its templates in `templatePatch`).
fn chart_path(r: &mut Reporter, chart: &str, path: &FieldPath) {
    let problem = if chart.is_empty() {
        Some("the path is empty".to_owned())
    } else {
        super::strings::relative_path_problem(chart)
    };
    if let Some(problem) = problem {
        let d = r
            .at_value(
                Code::InvalidChartPath,
                path,
                format!(
                    "`{}` is not a path inside the repository: {problem}",
                    crate::load::shorten(chart)
                ),
            )
            .help("a relative path such as `charts/mplp-global`");
        r.push(d);
    }
}

/// E0904: a target revision that is empty or has spaces.
fn target_revision(r: &mut Reporter, revision: &str, path: &FieldPath) {
    if revision.trim().is_empty() || revision.contains(char::is_whitespace) {
        r.report(
            Code::InvalidRevision,
            path,
            "targetRevision must be a branch, tag or commit without spaces",
        );
    }
}

/// E0901: a URL that is not `http(s)://[USER@]HOST[:PORT][/PATH]` (Argo CD server, object
/// store endpoint, the Prometheus KEDA queries). The scheme and host are read as URL
/// parsers read them (Go's `net/url`, which Argo CD and KEDA use): the scheme in any case,
/// the host a DNS name in any case (a final `.` allowed), an IPv4 address or a bracketed
/// IPv6 one, the port digits.
pub(super) const URL: Rule = Rule {
    code: Code::InvalidHost,
    not_a: "a URL: expected `https://HOST[:PORT][/PATH]`",
    ok: |url| {
        let Some((scheme, rest)) = url.split_once("://") else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        // The host (`None`: a bracketed IPv6 address, checked here) and `:PORT` or "".
        let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
            match v6.split_once(']') {
                Some((ip, port)) if ip.parse::<std::net::Ipv6Addr>().is_ok() => (None, port),
                _ => return false,
            }
        } else {
            let (host, port) = host_port.split_at(host_port.find(':').unwrap_or(host_port.len()));
            (Some(host), port)
        };
        let port_ok = match port.strip_prefix(':') {
            Some(digits) => digits.parse::<u16>().is_ok_and(|p| p > 0),
            None => port.is_empty(),
        };
        let host_ok = host.is_none_or(|host| {
            let host = host.to_ascii_lowercase();
            let host = host.strip_suffix('.').unwrap_or(&host);
            if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                host.parse::<std::net::Ipv4Addr>().is_ok()
            } else {
                !host.is_empty() && dns_subdomain_problem(host).is_none()
            }
        });
        matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
            && port_ok
            && host_ok
            && !url.contains(char::is_whitespace)
    },
};

#[cfg(test)]
mod tests {
    use super::super::test::{lint, one};

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

    /// URLs as Go's `net/url` reads them (Argo CD, KEDA).
    #[test]
    fn what_counts_as_a_url() {
        let ok = |url: &str| (super::URL.ok)(url);
        for url in [
            "http://prometheus:9090",
            "https://argocd.example.com",
            "https://prom.example.com/select/0/prometheus/",
            "HTTP://Prometheus.Monitoring.svc:9090",
            "http://prometheus.monitoring.svc.cluster.local.:9090",
            "http://user@prometheus:9090",
            "http://user:pw@prometheus:9090/x",
            "http://10.96.0.10:9090",
            "http://[::1]:9090",
            "http://[fd00:10:96::a]:9090/",
            "http://[fd00::a]",
        ] {
            assert!(ok(url), "{url}");
        }
        for url in [
            "prometheus:9090",
            "ftp://prometheus",
            "http://",
            "http://:9090",
            "http://prom:notaport",
            "http://prom:0",
            "http://prom:65536",
            "http://999.1:9090",
            "http://1.2.3.4.5",
            "http://[::g]:9090",
            "http://[::1",
            "http://prom_server:9090",
            "http://prom server",
        ] {
            assert!(!ok(url), "{url}");
        }
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
        for bad in ["\"{{ .cluster }}\"", "\"a: b\"", "\"$(id)\"", "\"\""] {
            one(
                &format!("platform: {{path: {bad}}}\n"),
                "error[E0903] platform.path",
            );
        }
        assert!(lint("platform: {path: charts/mplp-global_v2.1}\n").is_empty());
    }

    #[test]
    fn target_revision() {
        one(
            "platform: {targetRevision: \"release 1\"}\n",
            "error[E0904] platform.targetRevision: targetRevision must be a branch, tag or commit without spaces",
        );
        one(
            "platform: {manifests: {targetRevision: \"\"}}\n",
            "error[E0904] platform.manifests.targetRevision: targetRevision must be a branch, tag or commit without spaces",
        );
        one(
            "platform: {manifests: {repoURL: \"x y\"}}\n",
            "error[E0901] platform.manifests.repoURL: `x y` is not a repository URL",
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
