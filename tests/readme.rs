//! The README cannot drift from the program: it starts with the two commands, and
//! its key table names every key the keymap binds.

use std::collections::HashSet;

use sammachip::{
    app::{Action, Ctx},
    ui::keymap::{self, BINDINGS},
};

const README: &str = include_str!("../README.md");

#[test]
fn the_readme_starts_with_the_two_commands() {
    let block: Vec<&str> = README.lines().skip_while(|l| !l.starts_with("```")).skip(1).take(2).collect();
    assert!(block[0].starts_with("cargo run --release -- --demo"), "{block:?}");
    assert!(block[1].starts_with("cargo test"), "{block:?}");
}

#[test]
fn every_bound_key_is_in_the_readme() {
    let quoted: HashSet<&str> =
        README.split('`').skip(1).step_by(2).flat_map(|span| span.split_whitespace()).collect();
    for b in BINDINGS {
        if matches!(b.ctx, Ctx::Help | Ctx::Picker | Ctx::Offer | Ctx::Busy | Ctx::Filter) {
            continue;
        }
        // The six tab digits are written as `1`–`6`.
        if matches!(b.action, Action::GoTab(2..=5)) {
            continue;
        }
        for k in b.keys {
            let label = keymap::label(k);
            assert!(quoted.contains(label.as_str()), "README does not mention key {label} ({:?})", b.action);
        }
    }
}
