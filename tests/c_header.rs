//! The checked-in C header matches what cbindgen generates from the sources.
use std::path::Path;

#[test]
fn checked_in_header_is_up_to_date() {
    let generated = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/irqio.h")).unwrap();
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/irqio.h");
    if std::env::var_os("IRQIO_BLESS").is_some() {
        std::fs::write(&checked_in, &generated).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
    assert!(
        current == generated,
        "include/irqio.h is out of date with the Rust sources: run scripts/bless-header.sh"
    );
}
