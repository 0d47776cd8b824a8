//! Damaged copies of the production profile: lint and render agree, nothing panics, and
//! every mutant that is accepted renders manifests that validate-manifests accepts.

use crate::common::{Test, validate_manifests};

/// A small deterministic generator (xorshift), so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const HOSTILE: &[&str] = &[
    "\"",
    "'",
    ": ",
    "#",
    "\n",
    "yes",
    "0x1",
    "{{",
    "}}",
    "[",
    "]",
    "{",
    "}",
    "*a",
    "&a",
    "!!str",
    "~",
    "null",
    "-1",
    "99999999999999999999",
    "1e400",
    "\t",
    "\u{2028}",
    "ü",
    "",
    " ",
    "-",
    "?",
    "|",
    ">",
    "%",
    "@",
    "`",
    "0",
    "100",
    "true",
    "[]",
    "{}",
    "-5",
    "3.5",
    "\"x\"",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
    for _ in 0..=rng.below(3) {
        let k = rng.below(lines.len());
        match rng.below(6) {
            0 => lines[k].clear(),
            1 => {
                let at = rng.below(lines[k].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|i| lines[k].is_char_boundary(*i))
                    .unwrap_or(0);
                lines[k].insert_str(at, HOSTILE[rng.below(HOSTILE.len())]);
            }
            2 => {
                let copy = lines[rng.below(lines.len())].clone();
                lines.insert(k, copy);
            }
            3 => {
                if let Some((key, _)) = lines[k].clone().split_once(':') {
                    lines[k] = format!("{key}: {}", HOSTILE[rng.below(HOSTILE.len())]);
                }
            }
            4 => {
                let at = rng.below(lines[k].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|i| lines[k].is_char_boundary(*i))
                    .unwrap_or(0);
                lines[k].truncate(at);
            }
            _ => {
                let trimmed = lines[k].trim_start().to_owned();
                lines[k] = format!("{}{trimmed}", " ".repeat(rng.below(6)));
            }
        }
    }
    lines.join("\n")
}

#[test]
fn mutants_of_the_production_profile() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut accepted = 0;
    let mut validated = 0;
    for case in 0..80 {
        let text = mutate(&mut rng, mplp_scale::DEFAULT_PROFILE);
        let lint = Test::new(["lint", "-", "--format", "json"])
            .stdin(text.clone())
            .run();
        let render = Test::new(["render", "-f", "-"]).stdin(text.clone()).run();
        assert!(
            !lint.stderr.contains("panicked") && !render.stderr.contains("panicked"),
            "case {case} panicked:\n{}{}",
            lint.stderr,
            render.stderr
        );
        assert!(
            lint.code == 0 || lint.code == 1,
            "case {case}: lint exit {}",
            lint.code
        );
        assert_eq!(
            lint.code, render.code,
            "case {case}: lint and render disagree on\n{text}"
        );
        let records: serde_json::Value =
            serde_json::from_str(&lint.stdout).expect("lint --format json is JSON");
        for r in records.as_array().unwrap() {
            assert!(r["line"].as_u64().unwrap() >= 1, "case {case}: {r}");
            assert!(r["code"].as_str().unwrap().len() == 5, "case {case}: {r}");
        }
        if render.code == 0 {
            accepted += 1;
            assert!(render.stdout.starts_with("# mplp-scale: the objects of "));
            assert!(render.stdout.contains("\n---\n# Source: "));
            // The validator costs half a second a run: check a sample of the accepted.
            if validated < 8 {
                let warnings = records
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["severity"] == "warning");
                let args: &[&str] = if warnings {
                    &["--quiet"]
                } else {
                    &["--warnings-as-errors", "--quiet"]
                };
                if let Some((code, out)) = validate_manifests(&render.stdout, args) {
                    assert_eq!(code, 0, "case {case}: {out}\n--- mutant:\n{text}");
                    validated += 1;
                }
            }
        } else {
            assert_eq!(
                render.stdout, "",
                "case {case}: a refused profile rendered something"
            );
        }
    }
    assert!(
        accepted >= 5,
        "only {accepted} mutants were accepted: the mutations are too coarse"
    );
}
