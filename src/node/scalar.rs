//! YAML 1.1 scalar resolution, as the profile has always been read.
//!
//! These rules are serde-saphyr 2.2's untyped ("deserialize any") resolution with its
//! default options (`src/parse_scalars.rs` and `YamlDeserializer::deserialize_any` in
//! <https://github.com/bourumir-wyngs/serde-saphyr>): YAML 1.1 booleans (`yes`, `Off`,
//! `y`, ...), YAML 1.2 integers (`0x`, `0o`, `0b`, `_` separators, no leading zeros),
//! YAML 1.2 floats, `~`/`null`/empty as null, and a non-finite number refused. The
//! event walker in `parse.rs` calls them; the differential test against serde-saphyr
//! (`src/node/legacy.rs`, `fuzz/fuzz_targets/parse_differential.rs`) holds them equal.

use std::borrow::Cow;

use granit_parser::{ScalarStyle, Tag};

/// What an explicit tag asks of a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// No tag, or one that does not change the resolution (`!custom`).
    Any,
    /// `!` or `!!str`: the text is a string, whatever it looks like.
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// `!!binary`: base64 of UTF-8 text, read as that text.
    Binary,
    /// A tag no string or number can have (`!!seq`, `!!timestamp`, `!!binary`): refused.
    Collection,
}

const CORE: &str = "tag:yaml.org,2002:";

fn by_name(name: &str) -> Kind {
    match name {
        "int" => Kind::Int,
        "float" => Kind::Float,
        "bool" => Kind::Bool,
        "null" => Kind::Null,
        "str" => Kind::Str,
        "binary" => Kind::Binary,
        "seq" | "map" | "timestamp" | "time" | "include" | "degrees" | "radians" => {
            Kind::Collection
        }
        _ => Kind::Any,
    }
}

/// The kind a tag gives a scalar (serde-saphyr's `SfTag::from_optional_cow`, for the tags
/// a profile can mean something by).
pub(super) fn kind(tag: Option<&Tag>) -> Kind {
    let Some(tag) = tag else { return Kind::Any };
    if let Some(core) = tag.core_suffix() {
        return by_name(core);
    }
    if let Some(suffix) = tag.suffix_in_namespace(CORE) {
        return by_name(suffix.strip_prefix('!').unwrap_or(&suffix));
    }
    let Some(suffix) = tag.suffix_in_namespace("!") else {
        return Kind::Any;
    };
    match suffix.as_ref() {
        "" | "!" => Kind::Str,
        "!binary" => Kind::Binary,
        "!timestamp" => Kind::Collection,
        name => match name.strip_prefix('!') {
            Some(core) if ["null", "bool", "int", "float", "map", "seq", "str"].contains(&core) => {
                by_name(core)
            }
            Some(_) => Kind::Any,
            None => by_name(name),
        },
    }
}

/// A resolved scalar, before it gets its position and source text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    /// An unsigned integer beyond `i64`: a number to the profile, written as the
    /// integer (not as the float it reads as) where its text is not the source's.
    Big(u64),
    /// A float, or an integer beyond `u64`.
    Float(f64),
    Str(String),
}

/// Why a scalar could not be read (serde-saphyr's message, kept word for word).
pub(super) type Refusal = String;

pub(super) fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

pub(super) fn is_nullish(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn yaml11_bool(s: &str) -> Option<bool> {
    let t = trim(s);
    let any = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if any(&["true", "yes", "y", "on"]) {
        Some(true)
    } else if any(&["false", "no", "n", "off"]) {
        Some(false)
    } else {
        None
    }
}

/// Resolve one scalar event's text by its style and tag.
pub(super) fn resolve(
    value: Cow<'_, str>,
    style: ScalarStyle,
    kind: Kind,
) -> Result<Scalar, Refusal> {
    match kind {
        Kind::Null => return Ok(Scalar::Null),
        Kind::Bool => {
            return yaml11_bool(&value)
                .map(Scalar::Bool)
                .ok_or_else(|| "invalid boolean".to_owned());
        }
        Kind::Int => {
            let t = trim(&value);
            return if t.starts_with('-') {
                signed(t)
                    .map(Scalar::Int)
                    .ok_or_else(|| "invalid i64".to_owned())
            } else {
                unsigned(t)
                    .map(uint)
                    .ok_or_else(|| "invalid u64".to_owned())
            };
        }
        Kind::Float => {
            let x = float(&value).ok_or_else(|| "invalid floating point".to_owned())?;
            return finite(x, &value);
        }
        Kind::Collection => return Err("cannot deserialize tagged scalar into string".to_owned()),
        Kind::Binary => {
            return base64(&value)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .map(Scalar::Str)
                .ok_or_else(|| "invalid base64 in a !!binary value".to_owned());
        }
        Kind::Any | Kind::Str => {}
    }
    if kind == Kind::Any && is_nullish(&value, style) {
        return Ok(Scalar::Null);
    }
    if style != ScalarStyle::Plain || kind == Kind::Str {
        return Ok(Scalar::Str(value.into_owned()));
    }
    if let Some(b) = yaml11_bool(&value) {
        return Ok(Scalar::Bool(b));
    }
    let t = trim(&value);
    let bare = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(bare.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_signed_nan(t) {
        return Ok(Scalar::Str(value.into_owned()));
    }
    if t.starts_with('-') {
        if !leading_zero_decimal(t)
            && let Some(i) = signed(t)
        {
            return Ok(Scalar::Int(i));
        }
    } else if let Some(u) = unsigned(t) {
        return Ok(uint(u));
    }
    if let Some(x) = float(&value) {
        return finite(x, &value);
    }
    Ok(Scalar::Str(value.into_owned()))
}

fn uint(u: u64) -> Scalar {
    i64::try_from(u).map_or(Scalar::Big(u), Scalar::Int)
}

/// The integer beyond `i64` that a number's text `raw` is written as, if it is one: an
/// alias's copy is written as that integer, like the text of a [`Scalar::Big`].
pub(super) fn big(raw: &str) -> Option<u64> {
    unsigned(trim(raw)).filter(|&u| i64::try_from(u).is_err())
}

fn finite(x: f64, raw: &str) -> Result<Scalar, Refusal> {
    if x.is_finite() {
        Ok(Scalar::Float(x))
    } else {
        Err(format!(
            "non-finite float `{raw}` rejected by the configured policy"
        ))
    }
}

fn is_signed_nan(t: &str) -> bool {
    t.strip_prefix(['+', '-'])
        .is_some_and(|u| matches!(u, ".nan" | ".NaN" | ".NAN"))
}

fn leading_zero_decimal(t: &str) -> bool {
    let s = trim(t);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Digits in `radix` with single `_` separators between them.
fn digits(text: &str, radix: u32) -> Option<u128> {
    let bytes = text.as_bytes();
    let mut value: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let ok = i > 0 && bytes[i - 1] != b'_' && i + 1 < bytes.len() && bytes[i + 1] != b'_';
            if !ok {
                return None;
            }
            continue;
        }
        let d = char::from(b).to_digit(16).filter(|&d| d < radix)?;
        if radix <= 10 && !b.is_ascii_digit() {
            return None;
        }
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(value)
}

fn radix(rest: &str) -> (u32, &str) {
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            return (radix, r);
        }
    }
    (10, rest)
}

fn magnitude(rest: &str) -> Option<u128> {
    let (radix, ds) = radix(rest);
    if radix == 10 && ds.starts_with('0') && ds != "0" {
        return None;
    }
    digits(ds, radix)
}

fn signed(t: &str) -> Option<i64> {
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => t.strip_prefix('-').map_or((false, t), |r| (true, r)),
    };
    let mag = magnitude(rest)?;
    if neg {
        let mag = i128::try_from(mag).ok()?;
        i64::try_from(-mag).ok()
    } else {
        i64::try_from(mag).ok()
    }
}

fn unsigned(t: &str) -> Option<u64> {
    if t.starts_with('-') {
        return None;
    }
    u64::try_from(magnitude(t.strip_prefix('+').unwrap_or(t))?).ok()
}

/// A YAML 1.2 float, or a numeral too large for `f64` (infinite).
fn float(s: &str) -> Option<f64> {
    let t = trim(s);
    let (negative, bare) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match bare {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        Ok(x) if bare.as_bytes().first().is_some_and(u8::is_ascii_digit) => Some(x),
        _ => None,
    }
}

/// Standard base64 (whitespace between the characters ignored, `=` padding optional).
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
