//! What `check` finds in a profile's text around the model: `# mplp-scale: allow`
//! comments that allow nothing (W0012), and a Kubernetes manifest given as a profile
//! (E0011).

use crate::diagnostic::{Code, Diagnostic, FieldPath};
use crate::load::Loaded;
use crate::node::Value;
use crate::source::Span;

/// E0011: a document with `apiVersion` and `kind` at the top level is a Kubernetes
/// manifest: one diagnostic for it, instead of one per key the profile does not have (or,
/// for a stream of manifests, instead of "more than one document").
pub(crate) fn kubernetes_manifest(loaded: &Loaded) -> Option<Diagnostic> {
    if let Some(found) = manifest(&loaded.tree) {
        return Some(found);
    }
    if loaded.profile.is_some() || loaded.tree.value != Value::Null {
        return None;
    }
    // Not YAML as a profile (a stream of documents): look at each file's first document.
    (0..)
        .map_while(|id| loaded.sources.get(id).map(|s| (id, s)))
        .filter(|(_, s)| s.name != "--set")
        .find_map(|(id, s)| {
            let first = match s.text.find("\n---") {
                Some(at) => &s.text[..at],
                None => &s.text,
            };
            crate::node::parse(id, first)
                .ok()
                .as_ref()
                .and_then(manifest)
        })
}

fn manifest(tree: &crate::node::Node) -> Option<Diagnostic> {
    let Value::Map(map) = &tree.value else {
        return None;
    };
    let (api_version, kind) = (map.get("apiVersion")?, map.get("kind")?);
    let text = |v: &Value| v.scalar_text().map(crate::load::shorten);
    let what = match (text(&kind.node.value), text(&api_version.node.value)) {
        (Some(kind), Some(api)) => format!("a Kubernetes manifest (`{api}` `{kind}`)"),
        _ => "a Kubernetes manifest (`apiVersion` and `kind` at the top level)".to_owned(),
    };
    Some(
        Diagnostic::new(
            Code::NotAProfile,
            FieldPath::root(),
            format!("this is {what}, not an mplp-scale profile"),
        )
        .at(api_version.key_span)
        .help("lint the profiles that render manifests (a profile starts with `version: 1`); `mplp-scale lint --crds DIR` checks what a profile renders"),
    )
}

/// W0012: every `# mplp-scale: allow` comment (or a near miss of one) that allows
/// nothing: no code, a code that is not a warning's, a misspelt directive. ruff warns
/// about its `# noqa` comments the same way.
pub(crate) fn allow_comments(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if !loaded.sources.any_text_contains("mplp-scale") {
        return found;
    }
    for (file, source) in (0..).map_while(|id| loaded.sources.get(id).map(|s| (id, s))) {
        if source.name == "--set" {
            continue;
        }
        for (n, line) in source.text.lines().enumerate() {
            let Some((before, comment)) = line.split_once('#') else {
                continue;
            };
            if let Some(problem) = allow_comment(comment) {
                let span = Span {
                    file,
                    line: n as u32 + 1,
                    col: before.chars().count() as u32 + 1,
                };
                found.push(
                    Diagnostic::new(Code::AllowComment, FieldPath::root(), problem)
                        .at(span)
                        .help("write `# mplp-scale: allow W0804` (warnings' codes, separated by `,` or spaces; any words after them are free)"),
                );
            }
        }
    }
    found
}

/// What is wrong with one comment's text (after `#`), if it is meant as an allow comment.
fn allow_comment(comment: &str) -> Option<String> {
    let comment = comment.trim();
    let rest = comment.strip_prefix("mplp-scale")?;
    let (directive, list) = match rest.strip_prefix(':') {
        Some(after) => {
            let after = after.trim_start();
            let word = after
                .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
                .next()
                .unwrap_or("");
            (word, &after[word.len()..])
        }
        // `# mplp-scale allow W0804`: the directive without its `:`.
        None if rest.trim_start().starts_with("allow") && rest.starts_with(char::is_whitespace) => {
            return Some(format!(
                "`# {comment}` is not an allow comment: a `:` is missing after `mplp-scale`"
            ));
        }
        None => return None,
    };
    if directive != "allow" {
        return Some(format!(
            "`# {comment}` is not an allow comment: expected `# mplp-scale: allow CODE`, found `{directive}`"
        ));
    }
    if !list.is_empty() && !list.starts_with([' ', '\t', ',']) {
        return Some(format!(
            "`# {comment}` is not an allow comment: expected a space after `allow`"
        ));
    }
    // The codes come first; the first word that is not shaped like a code ends them.
    let codes: Vec<&str> = list
        .split([',', ' ', '\t'])
        .filter(|w| !w.is_empty())
        .take_while(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.as_str().len() >= 2
                && chars.all(|c| c.is_ascii_digit())
        })
        .collect();
    if codes.is_empty() {
        return Some(format!(
            "`# {comment}` allows nothing: it names no warning's code"
        ));
    }
    let bad: Vec<String> = codes
        .iter()
        .filter_map(|code| crate::diagnostic::parse_allow(code).err())
        .collect();
    (!bad.is_empty()).then(|| format!("`# {comment}`: {}", bad.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::allow_comment;

    #[test]
    fn allow_comments_that_allow_nothing() {
        for fine in [
            " mplp-scale: allow W0804",
            " mplp-scale: allow W0804, W0707",
            " mplp-scale: allow w0804 (6 leaders and 6 followers, on purpose)",
            " mplp-scale renders this",
            " not about mplp-scale: allow nothing",
        ] {
            assert_eq!(allow_comment(fine), None, "{fine}");
        }
        for (bad, says) in [
            (" mplp-scale: allow", "names no warning's code"),
            (" mplp-scale: allow because", "names no warning's code"),
            (
                " mplp-scale: allow W9999",
                "`W9999` is not a diagnostic code",
            ),
            (" mplp-scale: allow E0103", "`E0103` is an error"),
            (" mplp-scale: alow W0804", "found `alow`"),
            (" mplp-scale: allow:W0804", "a space after `allow`"),
            (" mplp-scale allow W0804", "a `:` is missing"),
        ] {
            let found = allow_comment(bad).unwrap_or_default();
            assert!(found.contains(says), "{bad}: {found}");
        }
    }
}
