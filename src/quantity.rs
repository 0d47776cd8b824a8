//! Kubernetes resource quantities (`500m`, `2Gi`, `1e3`), parsed, not pattern-matched.
//!
//! Follows `k8s.io/apimachinery/pkg/api/resource` (`ParseQuantity`): an optional sign,
//! a decimal number, then nothing, a decimal SI suffix (`n u m k M G T P E`), a binary
//! suffix (`Ki Mi Gi Ti Pi Ei`) or a decimal exponent (`e3`, `E-2`). The value is kept as
//! an `f64` for comparisons (requests against limits, VPA bounds) next to the text the
//! user wrote, which is what gets rendered.

use std::fmt;

/// A parsed quantity and its original text.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    text: String,
    value: f64,
}

impl Quantity {
    /// Parse a Kubernetes quantity. The error says what is wrong with the text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value = parse_value(text)?;
        Ok(Self {
            text: text.to_owned(),
            value,
        })
    }

    /// The text as written in the profile.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value in base units (cores, bytes).
    #[must_use]
    pub fn value(&self) -> f64 {
        self.value
    }

    #[must_use]
    pub fn is_positive(&self) -> bool {
        self.value > 0.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_value(text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err("a quantity cannot be empty".to_owned());
    }
    if text.contains(char::is_whitespace) {
        let joined: String = text.split_whitespace().collect();
        if !joined.is_empty() && parse_value(&joined).is_ok() {
            return Err(format!(
                "`{text}` has a space in it (did you mean `{joined}`?)"
            ));
        }
    }
    let (sign, rest) = match text.as_bytes()[0] {
        b'+' => (1.0, &text[1..]),
        b'-' => (-1.0, &text[1..]),
        _ => (1.0, text),
    };
    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(digits_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return Err(format!("`{text}` does not start with a number"));
    }
    let base: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` does not start with a number"))?;
    let multiplier = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => {
            let exp: i32 = s[1..]
                .parse()
                .map_err(|_| format!("`{text}` has an invalid exponent `{s}`"))?;
            if !(-30..=30).contains(&exp) {
                return Err(format!("`{text}` has an exponent out of range"));
            }
            10f64.powi(exp)
        }
        s => {
            let hint = match s {
                "mi" | "mb" | "MB" | "Mb" => " (did you mean `Mi`?)",
                "gi" | "gb" | "GB" | "Gb" => " (did you mean `Gi`?)",
                "ki" | "kb" | "KB" | "Kb" | "K" => " (did you mean `Ki`?)",
                "ti" | "tb" | "TB" => " (did you mean `Ti`?)",
                _ => "",
            };
            return Err(format!(
                "`{text}` has an unknown suffix `{s}`{hint}: expected one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent"
            ));
        }
    };
    Ok(sign * base * multiplier)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14, item 10: a fix hint for `4 Gi`.
    #[test]
    fn a_space_before_the_suffix_is_named_with_the_fix() {
        assert_eq!(
            Quantity::parse("4 Gi").unwrap_err(),
            "`4 Gi` has a space in it (did you mean `4Gi`?)"
        );
        assert!(
            Quantity::parse("4 parsecs")
                .unwrap_err()
                .contains("unknown suffix")
        );
    }

    #[test]
    fn parses_the_kubernetes_forms() {
        let v = |t: &str| Quantity::parse(t).unwrap().value();
        assert!((v("500m") - 0.5).abs() < 1e-12);
        assert!((v("4000m") - 4.0).abs() < 1e-12);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
        assert!(close(v("2Gi"), 2.0 * 1024.0 * 1024.0 * 1024.0));
        assert!(close(v("1e3"), 1000.0));
        assert!(close(v("1.5"), 1.5));
        assert!(close(v(".5"), 0.5));
        assert!(close(v("+1k"), 1000.0));
        assert!(close(v("-1"), -1.0));
        assert!(Quantity::parse("0").is_ok_and(|q| !q.is_positive()));
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        for bad in [
            "", "Gi", "1GB", "1 Gi", "1..2", "abc", "1e", "1e999", "0x10", ".",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(
            Quantity::parse("256MB")
                .unwrap_err()
                .contains("did you mean `Mi`?")
        );
    }

    #[test]
    fn keeps_the_text() {
        assert_eq!(Quantity::parse("1000m").unwrap().to_string(), "1000m");
    }
}
