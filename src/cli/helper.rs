//! Handing the commands that read or write the whole store to `sammachip-bulk`.
//!
//! `import`, `restore` and `demo` spend about two fifths of their time in
//! glibc's `malloc` and `free` (sled 0.34 copies a leaf on every insert and
//! frees the old copy on another thread); `backup` and `check` read every
//! record. mimalloc takes a sixth to a half off their time, but holds
//! the screens in 30–50 MB more, and an allocator chosen while the program
//! runs costs the screens 22 MB as well (BENCHMARKS.md, issue 23, eighth
//! round). So the allocator is chosen when the program is built: the same
//! program is built twice, and `sammachip` replaces itself (`exec`, the same
//! process: same id, same signals, same exit code) with `sammachip-bulk` for
//! those five commands.
//!
//! It does so only on Unix (where it was measured), only when the helper sits
//! beside it, and only if the helper is the same build: a helper left from an
//! older build hands the command straight back (`SAMMACHIP_IN_PROCESS`), so
//! the code that writes the store is always this build's.
//!
//! Started by `sammachip`, the helper runs with mimalloc's transparent huge
//! pages off (`MIMALLOC_ALLOW_THP=0`, unless the variable is already set;
//! run by hand, it keeps mimalloc's default): with them, mimalloc asks the
//! kernel for 2 MiB pages, and the province's members import peaked at
//! 209–225 MB instead of 171–192 MB, with 1.4–2× the system time, and was
//! no faster (BENCHMARKS.md, issue 23, twenty-second round). A helper that
//! gives a command back leaves the main binary with huge pages off too (the
//! kernel keeps mimalloc's `prctl` across `exec`); glibc's allocator asks
//! for none of its own, so only a kernel set to give them unasked
//! (`always`) sees a difference, the same smaller peak.

use crate::i18n::Msg;

/// Which of the two binaries is running.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// `sammachip`, on the system allocator.
    Main,
    /// `sammachip-bulk`, on mimalloc (Unix).
    Bulk,
}

/// This build's id (a hash of its sources, from `build.rs`).
pub const BUILD_ID: &str = env!("SAMMACHIP_BUILD_ID");
/// Set by `sammachip` for the helper it runs: the build it expects.
pub const EXPECT: &str = "SAMMACHIP_BULK_FOR";
/// Set: run every command here, hand nothing over.
pub const IN_PROCESS: &str = "SAMMACHIP_IN_PROCESS";

/// The helper's file name, and the main binary's.
pub const BULK_FILE: &str = if cfg!(windows) { "sammachip-bulk.exe" } else { "sammachip-bulk" };
pub const MAIN_FILE: &str = if cfg!(windows) { "sammachip.exe" } else { "sammachip" };

/// What a binary does with a command, before it runs it.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Run it here.
    Here,
    /// Replace this process with the binary of that file name beside it,
    /// setting each variable to its value.
    Exec { file: &'static str, vars: Vec<(&'static str, String)> },
}

/// mimalloc's setting for transparent huge pages, and the helper's value.
pub const THP: (&str, &str) = ("MIMALLOC_ALLOW_THP", "0");

/// The decision, from the role, whether the command writes the whole store,
/// the two variables (`EXPECT`, `IN_PROCESS`) as they are set, and whether
/// [`THP`]'s variable is set (then it is left as it is).
pub fn decide(role: Role, bulk: bool, expect: Option<&str>, in_process: bool, thp_set: bool) -> Decision {
    match role {
        // A helper of another build gives the command back, and the main
        // binary runs it itself.
        Role::Bulk => match expect {
            Some(id) if id != BUILD_ID => {
                Decision::Exec { file: MAIN_FILE, vars: vec![(IN_PROCESS, "1".into())] }
            }
            _ => Decision::Here,
        },
        Role::Main if bulk && !in_process && cfg!(unix) => {
            let mut vars = vec![(EXPECT, BUILD_ID.to_string())];
            if !thp_set {
                vars.push((THP.0, THP.1.to_string()));
            }
            Decision::Exec { file: BULK_FILE, vars }
        }
        Role::Main => Decision::Here,
    }
}

/// In the helper, before it reads its arguments: gives the command back to
/// the main binary if this helper is not the build the main binary expects.
/// The message, if it could not (the command must not run here then).
pub fn give_back_if_stale(role: Role) -> Result<(), Msg> {
    if role == Role::Bulk { act(role, true) } else { Ok(()) }
}

/// In the main binary, once the command is known: hands it to the helper if
/// it writes the whole store.
pub fn hand_over(role: Role, bulk: bool) {
    if role == Role::Main {
        // The main binary runs the command itself if the helper cannot be run.
        let _ = act(role, bulk);
    }
}

/// Does what [`decide`] says; returns when the command is to run here, or
/// the message if it could not be handed back.
fn act(role: Role, bulk: bool) -> Result<(), Msg> {
    let expect = std::env::var(EXPECT).ok();
    let in_process = std::env::var_os(IN_PROCESS).is_some();
    let thp_set = std::env::var_os(THP.0).is_some();
    let decision = decide(role, bulk, expect.as_deref(), in_process, thp_set);
    #[cfg(unix)]
    if let Decision::Exec { file, vars } = decision {
        use std::os::unix::process::CommandExt;
        let Some(path) = std::env::current_exe().ok().map(|exe| exe.with_file_name(file)) else {
            return Ok(());
        };
        if role == Role::Main && !path.is_file() {
            return Ok(()); // no helper installed: run here
        }
        // Returns only if it could not be run.
        let _ = std::process::Command::new(&path)
            .args(std::env::args_os().skip(1))
            .env_remove(EXPECT)
            .envs(vars)
            .exec();
        if role == Role::Bulk {
            // A helper of another build must not run the command itself.
            return Err(Msg::with(crate::i18n::k::ERR_BULK_STALE, [path.display().to_string()]));
        }
    }
    #[cfg(not(unix))]
    let _ = decision;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_binary_hands_over_only_whole_store_commands() {
        let exec = Decision::Exec {
            file: BULK_FILE,
            vars: vec![(EXPECT, BUILD_ID.into()), ("MIMALLOC_ALLOW_THP", "0".into())],
        };
        assert_eq!(
            decide(Role::Main, true, None, false, false),
            if cfg!(unix) { exec } else { Decision::Here }
        );
        assert_eq!(decide(Role::Main, false, None, false, false), Decision::Here);
        assert_eq!(decide(Role::Main, true, None, true, false), Decision::Here, "SAMMACHIP_IN_PROCESS");
    }

    #[test]
    fn huge_pages_are_left_as_set_by_hand() {
        let exec = Decision::Exec { file: BULK_FILE, vars: vec![(EXPECT, BUILD_ID.into())] };
        assert_eq!(
            decide(Role::Main, true, None, false, true),
            if cfg!(unix) { exec } else { Decision::Here }
        );
    }

    #[test]
    fn a_helper_of_another_build_gives_the_command_back() {
        assert_eq!(decide(Role::Bulk, true, Some(BUILD_ID), false, false), Decision::Here);
        assert_eq!(decide(Role::Bulk, true, None, false, false), Decision::Here, "run by hand");
        assert_eq!(
            decide(Role::Bulk, true, Some("0123456789abcdef"), false, false),
            Decision::Exec { file: MAIN_FILE, vars: vec![(IN_PROCESS, "1".into())] }
        );
    }
}
