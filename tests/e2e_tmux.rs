//! The real binary driven through tmux, a real terminal emulator outside
//! this program, the way an officer's terminal drives it: the scenarios of
//! `tests/e2e_pty.rs`, in tmux. In the outside-clients group: `cargo test
//! --features outside-clients --test e2e_tmux` (`.ci/run` installs tmux).

mod common;
#[path = "support/local.rs"]
mod local;
#[path = "support/tmux.rs"]
mod tmux;
#[path = "support/window.rs"]
mod window;

use std::{path::Path, time::Duration};

use common::BIN;
use tmux::Tmux;

fn launch(db: &Path) -> Tmux {
    Tmux::launch(
        &format!("{BIN} --db '{}'", db.display()),
        &["LANG=C.UTF-8", "TERM=xterm-256color"],
        Duration::from_millis(60),
    )
}

#[test]
fn a_fund_created_in_the_form_is_there_after_a_restart() {
    local::a_fund_created_in_the_form_is_there_after_a_restart(&launch);
}

#[test]
fn a_window_below_80x24_gets_a_polite_message_and_recovers() {
    local::a_window_below_80x24_gets_a_polite_message_and_recovers(&launch);
}

#[test]
fn a_second_process_on_a_held_store_is_told_so() {
    local::a_second_process_on_a_held_store_is_told_so(&launch);
}

#[cfg(unix)]
#[test]
fn opening_is_cancelled_by_ctrl_c_and_keeps_the_keys_typed_meanwhile() {
    local::opening_is_cancelled_by_ctrl_c_and_keeps_the_keys_typed_meanwhile(&launch);
}

#[test]
fn a_backup_while_the_app_is_open_is_written_by_the_app() {
    local::a_backup_while_the_app_is_open_is_written_by_the_app(&launch);
}

#[test]
fn a_member_a_loan_and_an_occupation_typed_in_thai_survive_a_restart() {
    local::a_member_a_loan_and_an_occupation_typed_in_thai_survive_a_restart(&launch);
}

#[test]
fn a_sage_assigned_from_a_household_is_still_there_after_a_restart() {
    local::a_sage_assigned_from_a_household_is_still_there_after_a_restart(&launch);
}

#[test]
fn undo_steps_back_whole_and_big_ranks_show_whole() {
    local::undo_steps_back_whole_and_big_ranks_show_whole(&launch);
}

#[test]
fn a_paste_is_text_never_keys() {
    local::a_paste_is_text_never_keys(&launch);
}

#[test]
fn a_collection_day_on_one_fund() {
    local::a_collection_day_on_one_fund(&launch);
}
