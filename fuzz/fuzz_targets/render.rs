//! The whole load → validate → render path on arbitrary bytes.
//!
//! Whatever the input, nothing panics; a profile without errors renders, every document
//! parses back, and rendering twice gives the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mplp_scale::Input;
use mplp_scale::{Selection, plan};
use mplp_scale::Renderer;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = Input::Text {
        name: "fuzz.yaml".to_owned(),
        text: text.to_owned(),
    };
    let Ok(checked) = mplp_scale::check(&[input], &[]) else {
        return;
    };
    // Diagnostics always print, in every form.
    for d in &checked.diagnostics {
        let _ = d.full(&checked.sources);
        let _ = d.concise(&checked.sources);
    }
    let Some(profile) = checked.profile.as_ref().filter(|_| checked.errors() == 0) else {
        return;
    };
    let renderer = Renderer::new().expect("templates compile");
    let objects = plan(profile, &Selection::all());
    let mut first = String::new();
    let mut second = String::new();
    for object in &objects {
        let mut doc = String::new();
        renderer
            .render(object, &mut doc)
            .expect("a valid profile renders");
        serde_saphyr::from_str::<serde_json::Value>(&doc)
            .unwrap_or_else(|e| panic!("{} does not parse back: {e}\n{doc}", object.source()));
        first.push_str(&doc);
    }
    for object in &objects {
        renderer.render(object, &mut second).expect("renders again");
    }
    assert_eq!(first, second, "rendering is deterministic");
});
