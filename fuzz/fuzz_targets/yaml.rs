//! Arbitrary bytes through both YAML readers and the validator's tree: no panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fluxprint::source::yaml::parse_documents(text);
        let _ = fluxprint::source::yaml::parse_json_documents(text, |_| true);
    }
});
