//! `sammachip serve` driven by the real OpenSSH client inside tmux, the way
//! officers reach it: the scenarios of `tests/e2e_russh.rs`, with the
//! client officers use (logins by key, the host key pinned in
//! `known_hosts`). In the outside-clients group: `cargo test --features
//! outside-clients --test e2e_ssh` (`.ci/run` installs tmux and
//! openssh-client).

mod common;
#[path = "support/officers.rs"]
mod officers;
#[path = "support/ssh.rs"]
mod ssh;
#[path = "support/tmux.rs"]
mod tmux;
#[path = "support/window.rs"]
mod window;

use std::{process::Command, time::Duration};

use officers::{Client, Served};
use tmux::Tmux;

/// The OpenSSH client, in a tmux window of its own.
struct OpenSsh;

impl OpenSsh {
    /// `ssh` as `login` with the key of `key_of`, accepting this server's
    /// host key and no other.
    fn command(served: &Served, login: &str, key_of: &str) -> String {
        let known_hosts = served.dir.path().join("known_hosts");
        let host_key = served.server.host_key.to_openssh().unwrap();
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{} {host_key}\n", served.port())).unwrap();
        format!(
            "ssh -p {} -i '{}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
             -o UserKnownHostsFile='{}' -o SendEnv=NONE {login}@127.0.0.1",
            served.port(),
            served.key_file(key_of).display(),
            known_hosts.display()
        )
    }
}

impl Client for OpenSsh {
    type W = Tmux;

    fn open(&self, served: &Served, login: &str) -> Tmux {
        Tmux::launch(
            &Self::command(served, login, login),
            &["TERM=xterm-256color"],
            Duration::from_millis(80),
        )
    }

    fn refused(&self, served: &Served, login: &str, key_of: &str) -> bool {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{} true </dev/null", Self::command(served, login, key_of)))
            .output()
            .expect("sh runs ssh (.ci/run installs openssh-client)");
        let err = String::from_utf8_lossy(&out.stderr);
        !out.status.success() && err.contains("Permission denied")
    }
}

#[test]
fn two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused() {
    officers::two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused(&OpenSsh);
}

#[test]
fn unknown_and_disabled_keys_are_refused() {
    officers::unknown_and_disabled_keys_are_refused(&OpenSsh);
}

#[test]
fn a_viewer_and_a_district_officer_are_refused_with_the_reason() {
    officers::a_viewer_and_a_district_officer_are_refused_with_the_reason(&OpenSsh);
}

#[test]
fn the_screen_follows_a_resize_and_f_keys_and_thai_typing_work() {
    officers::the_screen_follows_a_resize_and_f_keys_and_thai_typing_work(&OpenSsh);
}

#[test]
fn a_failing_session_ends_alone_with_a_message() {
    officers::a_failing_session_ends_alone_with_a_message(&OpenSsh);
}

#[test]
fn idle_sessions_are_closed_and_the_session_cap_holds() {
    officers::idle_sessions_are_closed_and_the_session_cap_holds(&OpenSsh);
}

#[test]
fn committees_over_ssh_see_and_keep_their_own() {
    officers::committees_over_ssh_see_and_keep_their_own(&OpenSsh);
}
