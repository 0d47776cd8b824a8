//! The profile parser (an event walker over granit-parser) against the serde-saphyr
//! `Spanned` path it replaced: on any text both accept, the same tree with the same
//! positions and texts; where one refuses a budget, so does the other.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        mplp_scale::fuzz_parse_differential(text);
    }
});
