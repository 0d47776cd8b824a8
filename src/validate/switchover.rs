//! The switchover of the primary database (`postgres.switchover`): a target that is a
//! replica region (E0710), and a promotion token the CloudNativePG webhook accepts
//! (E0708). The webhook decodes the token as standard base64, reads it as JSON and
//! requires six non-empty fields (cloudnative-pg v1.30.0
//! `internal/webhook/v1/cluster_webhook.go` `validatePromotionToken`,
//! `pkg/utils/parser.go` `ParsePgControldataToken`, `PgControldataTokenContent.IsValid`).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Postgres, Profile};

/// The fields `PgControldataTokenContent.IsValid` requires, in its order.
const TOKEN_FIELDS: [&str; 6] = [
    "latestCheckpointTimelineID",
    "redoWalFile",
    "databaseSystemIdentifier",
    "latestCheckpointREDOLocation",
    "timeOfLatestCheckpoint",
    "operatorVersion",
];

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let Some(pg) = &profile.postgres else { return };
    let Some(switchover) = &pg.switchover else {
        return;
    };
    let path = FieldPath::root().key("postgres").key("switchover");
    target(r, profile, pg, &switchover.to, &path);
    if let Some(token) = &switchover.promotion_token
        && let Err(why) = token_problem(token)
    {
        let d = r
                .at_value(
                    Code::PromotionToken,
                    &path.key("promotionToken"),
                    format!("CloudNativePG refuses this promotion token: {why}"),
                )
                .help("copy the token whole from the demoted cluster: `kubectl get cluster NAME -o jsonpath='{.status.demotionToken}'` (docs/postgres-switchover.md)");
        r.push(d);
    }
}

/// E0710: `switchover.to` names no region, the primary region, or there is no
/// distributed topology (no `postgres.backup`) to switch over in.
fn target(r: &mut Reporter, profile: &Profile, pg: &Postgres, to: &str, path: &FieldPath) {
    let path = path.key("to");
    let problem = match profile.regions.get(to) {
        None => {
            let names: Vec<&str> = profile.regions.keys().map(String::as_str).collect();
            Some((
                format!("`{to}` is not a region of this profile"),
                format!("name one of the replica regions: {}", names.join(", ")),
            ))
        }
        Some(region) if region.primary => Some((
            format!("`{to}` is already the primary region: a switchover moves the primary to another region"),
            "name the region that becomes the primary; once the switchover is done, set `primary: true` on it and remove `switchover`".to_owned(),
        )),
        Some(_) if pg.backup.is_none() => Some((
            "a switchover needs the distributed topology, which replicates through the archive: `postgres.backup` is not set".to_owned(),
            "configure `postgres.backup` (docs/postgres-switchover.md)".to_owned(),
        )),
        Some(_) => None,
    };
    if let Some((message, help)) = problem {
        let d = r
            .at_value(Code::SwitchoverTarget, &path, message)
            .help(help);
        r.push(d);
    }
}

/// Why the webhook would refuse `token`, or `Ok` when it reads it.
pub(crate) fn token_problem(token: &str) -> Result<(), String> {
    let bytes = base64_decode(token)
        .ok_or("it is not standard base64 (`Base64 decoding failed`)".to_owned())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| "its base64 does not hold JSON (`JSON decoding failed`)".to_owned())?;
    let Some(object) = value.as_object() else {
        return Err(
            "its base64 holds JSON that is not an object (`JSON decoding failed`)".to_owned(),
        );
    };
    for field in TOKEN_FIELDS {
        // Go's encoding/json matches field names case-insensitively.
        let found = object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(field))
            .map(|(_, v)| v);
        match found {
            Some(serde_json::Value::String(s)) if !s.is_empty() => {}
            Some(serde_json::Value::String(_) | serde_json::Value::Null) | None => {
                return Err(format!(
                    "`{field}` is missing or empty (`Invalid promotionToken content`)"
                ));
            }
            Some(_) => {
                return Err(format!(
                    "`{field}` is not a string (`JSON decoding failed`)"
                ));
            }
        }
    }
    Ok(())
}

/// Standard base64 with padding (Go's `base64.StdEncoding`), or `None`.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * u32::try_from(pad).ok()?;
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::test::{lint, one};

    /// A token as the operator writes it (the six fields, base64 of its JSON).
    pub(crate) const TOKEN: &str = "eyJsYXRlc3RDaGVja3BvaW50VGltZWxpbmVJRCI6IjEiLCJyZWRvV2FsRmlsZSI6IjAwMDAwMDAxMDAwMDAwMDAwMDAwMDAwMyIsImRhdGFiYXNlU3lzdGVtSWRlbnRpZmllciI6Ijc0MDAwMDAwMDAwMDAwMDAwMDAiLCJsYXRlc3RDaGVja3BvaW50UkVET0xvY2F0aW9uIjoiMC8zMDAwMDI4IiwidGltZU9mTGF0ZXN0Q2hlY2twb2ludCI6Ik1vbiAwMSBKdW4gMjAyNiAxMjowMDowMCBQTSBVVEMiLCJvcGVyYXRvclZlcnNpb24iOiIxLjMwLjAifQ==";

    #[test]
    fn base64_is_decoded_as_go_does() {
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert!(base64_decode("aGk").is_none(), "unpadded");
        assert!(base64_decode("a=Gk").is_none(), "padding inside");
        assert!(base64_decode("aG-_").is_none(), "URL alphabet");
    }

    #[test]
    fn tokens_are_read_as_the_webhook_reads_them() {
        assert_eq!(token_problem(TOKEN), Ok(()));
        assert!(token_problem("abc").unwrap_err().contains("base64"));
        // base64 of `{"latestCheckpointTimelineID":1}`: a number, not a string.
        assert!(
            token_problem("eyJsYXRlc3RDaGVja3BvaW50VGltZWxpbmVJRCI6MX0=")
                .unwrap_err()
                .contains("not a string")
        );
        // base64 of `{}`.
        assert!(
            token_problem("e30=")
                .unwrap_err()
                .contains("`latestCheckpointTimelineID` is missing")
        );
    }

    #[test]
    fn the_target_is_a_replica_region() {
        one(
            "postgres: {switchover: {to: us-east-1}}\n",
            "error[E0710] postgres.switchover.to: `us-east-1` is already the primary region",
        );
        one(
            "postgres: {switchover: {to: eu-central-1}}\n",
            "error[E0710] postgres.switchover.to: `eu-central-1` is not a region of this profile",
        );
        assert_eq!(
            lint("postgres: {switchover: {to: eu-west-1}}\n"),
            Vec::<String>::new()
        );
        one(
            "postgres: {switchover: {to: eu-west-1, promotionToken: abc}}\n",
            "error[E0708] postgres.switchover.promotionToken: CloudNativePG refuses this promotion token: it is not standard base64",
        );
        assert_eq!(
            lint(&format!(
                "postgres: {{switchover: {{to: eu-west-1, promotionToken: {TOKEN}}}}}\n"
            )),
            Vec::<String>::new()
        );
    }
}
