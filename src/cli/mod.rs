//! The command line: the TUI by default, or one of the subcommands. Both
//! binaries run it: `sammachip`, and `sammachip-bulk`, the same program built
//! with another memory allocator for the commands that read or write the whole
//! store (see [`helper`]).

pub mod helper;

use std::{
    path::PathBuf,
    process::ExitCode,
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use crate::{
    app::App,
    demo::{self, DEFAULT_SEED, Scale},
    domain::{Lang, money::group_thousands},
    i18n::{Msg, k, tr},
    service::messages,
    store::{OpenError, Store},
    tui,
};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "sammachip", version, about = "Village funds and community right livelihood (สัมมาชีพชุมชน)")]
struct Cli {
    /// The store (a directory). Default: the per-user data directory.
    #[arg(long, env = "SAMMACHIP_DB", global = true)]
    db: Option<PathBuf>,
    /// Language of the screens (Thai by default; `L` switches while running).
    #[arg(long, value_enum, default_value = "th", global = true)]
    lang: LangArg,
    /// Fill an empty store with demo data before opening it.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "province", value_name = "SCALE")]
    demo: Option<Scale>,
    /// Measurement aid: draw the first frame, exit, print how long it took.
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Th,
    En,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add an officer, or another key for one.
    Add {
        /// Login name (a–z, 0–9, `.`, `_`, `-`), the name given to ssh.
        login: String,
        #[arg(long, value_parser = ["admin", "province", "district", "viewer", "fund", "network"])]
        role: String,
        /// District code (4 digits) of a district officer or a district
        /// network committee (`--role network`).
        #[arg(long)]
        district: Option<u16>,
        /// Fund code (8 digits) of a village fund's committee (`--role fund`).
        #[arg(long)]
        fund: Option<String>,
        /// Their OpenSSH public key file (`id_ed25519.pub`, or the line PuTTYgen shows).
        #[arg(long)]
        key: PathBuf,
        /// Full name shown on screens and in the audit list.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Every officer with role, district and key fingerprints.
    List,
    /// Stop an account from logging in (its history stays).
    Disable { login: String },
    /// Let a disabled account log in again.
    Enable { login: String },
    /// Remove key number N (as `user list` numbers them).
    RemoveKey { login: String, n: usize },
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve many officers over SSH (public-key login against officer accounts).
    Serve {
        #[arg(long, default_value = "127.0.0.1:2222")]
        listen: std::net::SocketAddr,
        /// Host key; made on first start (ed25519, mode 0600).
        /// Default: `ssh_host_ed25519_key` beside the store.
        #[arg(long)]
        host_key: Option<PathBuf>,
        /// Most sessions at once.
        #[arg(long, default_value_t = 64)]
        max_sessions: usize,
        /// Minutes without a keystroke before a session is closed.
        #[arg(long, default_value_t = 30)]
        idle_minutes: u64,
        /// Seconds instead of minutes (tests).
        #[arg(long, hide = true)]
        idle_seconds: Option<u64>,
        /// Daily backups go here. Default: `backups` beside the store.
        #[arg(long)]
        backup_dir: Option<PathBuf>,
        /// How many daily backups to keep.
        #[arg(long, default_value_t = 14)]
        keep_backups: usize,
        /// Seconds between backups instead of a day (tests).
        #[arg(long, hide = true)]
        backup_every_seconds: Option<u64>,
        /// Seconds a connection may take to log in; one that has not is
        /// closed (its socket cut, whatever it sent).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
        login_seconds: u64,
        /// Largest file an officer may upload over SFTP, in MiB.
        #[arg(long, default_value_t = 200)]
        max_upload_mib: u64,
        /// Most an officer's inbox may hold, in MiB.
        #[arg(long, default_value_t = 1024)]
        max_inbox_mib: u64,
        /// Minutes a session whose connection dropped is kept for the
        /// officer's next login (screen, cursor, a half-typed form).
        #[arg(long, default_value_t = 10)]
        keep_minutes: u64,
        /// Seconds instead of minutes (tests).
        #[arg(long, hide = true)]
        keep_seconds: Option<u64>,
        /// Largest upload in bytes instead (tests).
        #[arg(long, hide = true)]
        max_upload_bytes: Option<u64>,
    },
    /// Read records from a spreadsheet: every row checked, all or nothing;
    /// rejected rows go to FILE.rejects.csv with the reason.
    Import {
        #[arg(value_enum)]
        kind: crate::io::Kind,
        /// `.csv` (UTF-8, with or without BOM) or `.xlsx`.
        file: PathBuf,
        /// The sheet of an .xlsx to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// Check every row, save nothing.
        #[arg(long)]
        dry_run: bool,
        /// Save record by record in one change set, as the app's Import
        /// screen does, instead of one bulk load (tests).
        #[arg(long, hide = true)]
        one_by_one: bool,
    },
    /// Write every record of a kind (or the ranking) to a spreadsheet: Thai
    /// headers (`--lang en` for English), money as numbers, dates in B.E.
    Export {
        #[arg(value_enum)]
        kind: crate::io::Kind,
        /// `FILE.csv` or `FILE.xlsx`.
        #[arg(short, long)]
        output: PathBuf,
        /// `ranking` only: `province`, a district (4 digits), a subdistrict (6)
        /// or a fund (8). Default: every district's own top, one after another.
        #[arg(long)]
        scope: Option<String>,
        /// `ranking` only: places ranked in each (default 30).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=10000))]
        places: Option<u16>,
        /// Digits as Thai digits (๐–๙), as official printed documents have
        /// them (an `.xlsx` keeps numbers as numbers, shown in Thai digits).
        #[arg(long)]
        thai_digits: bool,
    },
    /// The province report for management: a workbook in Thai with the eight
    /// steps per district, capital, loans and PAR30, sage coverage, models and
    /// OTOP (each with a chart) and every district's top 30, set for A4.
    Report {
        /// `province` (default) or a district's 4-digit code.
        #[arg(long)]
        scope: Option<String>,
        /// The day the report is dated and loans at risk are counted on (B.E.
        /// or C.E., e.g. 30/12/2569): today (the default) or later. Its
        /// figures are the store's as it is now, so a day gone by is refused.
        #[arg(long)]
        date: Option<String>,
        /// `FILE.xlsx`.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write an Excel template a fund committee fills in and imports back
    /// (`members`, `occupations`, `repayments`): the fund's own rows filled
    /// in, a list on every choice column, the header row locked, a second
    /// sheet explaining the columns.
    Template {
        #[arg(value_enum)]
        kind: crate::io::Kind,
        /// The fund's code (8 digits).
        #[arg(long)]
        fund: String,
        /// `FILE.xlsx`.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Collection day's sheet for a fund: every loan with an instalment due by
    /// the date, what is due, and columns for what was paid; `import
    /// repayments` of the filled sheet records the payments.
    Collection {
        /// The fund's 8-digit code.
        #[arg(long)]
        fund: String,
        /// The meeting's day (B.E. or C.E.). Default: today.
        #[arg(long)]
        date: Option<String>,
        /// `FILE.xlsx` (or `.csv`).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write a consistent, checksummed backup of the store to FILE (through the
    /// server when one holds the store).
    Backup { file: PathBuf },
    /// Make a new store at `--db NEWPATH` from a backup file.
    Restore { file: PathBuf },
    /// Check every record, index, reference, counter and aggregate;
    /// `--repair` rebuilds indexes and aggregates from the records.
    Check {
        #[arg(long)]
        repair: bool,
    },
    /// Officer accounts for `serve`.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Write a realistic, deterministic demo data set into an empty store.
    Demo {
        #[arg(long, value_enum, default_value = "province")]
        scale: Scale,
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Empty the store first (the audit trail is kept).
        #[arg(long)]
        replace: bool,
        /// The gazetteer for `--scale nation`: a directory with provinces.csv,
        /// districts.csv and subdistricts.csv (as in shared/data/thai-geography).
        #[arg(long, env = "SAMMACHIP_GEOGRAPHY")]
        geography: Option<PathBuf>,
    },
}

impl Cmd {
    /// The commands that read or write every record of a file or of the
    /// store, where much of the time is the allocator's (BENCHMARKS.md,
    /// issue 23).
    fn whole_store(&self) -> bool {
        matches!(
            self,
            Cmd::Import { .. }
                | Cmd::Restore { .. }
                | Cmd::Demo { .. }
                | Cmd::Backup { .. }
                | Cmd::Check { .. }
        )
    }
}

/// The default store: `<data dir>/sammachip/store`.
fn default_db() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "sammachip").map(|d| d.data_dir().join("store"))
}

/// Prints a message in Thai, then in English: the command line does not know
/// which the officer reads. Lines are wrapped to 80 columns (PuTTY's default
/// window), and anything a file or a user typed into an argument is shown
/// with its control characters made visible.
fn say(msg: &Msg) {
    for line in both_languages(msg) {
        eprintln!("{line}");
    }
}

/// A message in Thai and then English, each wrapped to 80 columns.
fn both_languages(msg: &Msg) -> Vec<String> {
    [Lang::Th, Lang::En]
        .into_iter()
        .flat_map(|lang| crate::i18n::wrap(&crate::domain::clean::text(&msg.render(lang)), 80))
        .collect()
}

/// A line of a command's report, as [`say`] puts it but on standard output.
fn print_both(msg: &Msg) {
    for line in both_languages(msg) {
        println!("{line}");
    }
}

/// What opening the store found and put right, said once.
fn say_notices(store: &Store) {
    for n in store.notices() {
        say(&messages::notice(&n));
    }
}

fn exit_code(e: &OpenError) -> ExitCode {
    match e {
        OpenError::Locked { .. } => ExitCode::from(2),
        OpenError::Damaged { .. } | OpenError::CutImportStuck { .. } => ExitCode::from(3),
        _ => ExitCode::from(1),
    }
}

/// How long opening may take before the store is taken for damaged: sled can
/// loop forever on some damaged files instead of failing.
const OPEN_TIMEOUT: Duration = Duration::from_secs(20);

/// How often the app's opening screen looks for Ctrl-C while the store opens.
const CANCEL_LOOK: Duration = Duration::from_millis(50);

/// Opens an existing store for a command that only reads it (backup,
/// check, export, report, template, collection): a mistyped `--db` or an
/// unset `SAMMACHIP_DB` made an empty store there, and a daily backup of it
/// said "Backed up" every day.
fn open_existing_then<T: Send + 'static>(
    path: PathBuf,
    then: impl FnOnce(Store) -> T + Send + 'static,
) -> Result<T, ExitCode> {
    open_existing_for(path, Purpose::Work, then)
}

/// As [`open_existing_then`], for `purpose`.
fn open_existing_for<T: Send + 'static>(
    path: PathBuf,
    purpose: Purpose,
    then: impl FnOnce(Store) -> T + Send + 'static,
) -> Result<T, ExitCode> {
    match no_store_at(&path) {
        Some(e) => {
            say(&messages::open(&e));
            Err(exit_code(&e))
        }
        None => open_for(path, purpose, then),
    }
}

/// What a command opens the store for, as far as an import a cut-off
/// process left half-saved is concerned when its take-back meets a store
/// error (a full disk, damage).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Changing it, or showing it as the officers' data: refused until the
    /// import is taken back (`check --repair` settles one that cannot be).
    Work,
    /// Looking it over or copying it (`check`, `backup`): goes on, says so;
    /// the mark stays for the next open.
    Read,
}

/// Nothing at `path`, or an empty folder: no store to read there.
fn no_store_at(path: &std::path::Path) -> Option<OpenError> {
    use crate::store::files::{Kind, kind_of};
    matches!(kind_of(path), Ok(Kind::Missing | Kind::Empty)).then(|| OpenError::Absent { path: path.into() })
}

/// Opens the store for use: as [`Store::open`], then takes back the imports
/// a cut-off process left half-saved (said in the store's notices).
pub fn open_store(path: &std::path::Path) -> Result<Store, OpenError> {
    open_store_for(path, Purpose::Work)
}

/// As [`open_store`], for `purpose`.
pub fn open_store_for(path: &std::path::Path, purpose: Purpose) -> Result<Store, OpenError> {
    take_back(path, Store::open(path)?, purpose)
}

fn take_back(path: &std::path::Path, store: Store, purpose: Purpose) -> Result<Store, OpenError> {
    use crate::service::changes;
    let Err(stuck) = changes::take_back_cut_imports(&store) else { return Ok(store) };
    if purpose == Purpose::Read {
        changes::tell_stuck(&store, &stuck);
        return Ok(store);
    }
    Err(match stuck.mark {
        Some(mark) if stuck.damaged() => OpenError::CutImportStuck {
            path: path.to_path_buf(),
            officer: mark.officer,
            file: mark.file,
            detail: stuck.error.to_string(),
        },
        _ => Store::open_failed(path, stuck.error, "an import cut off could not be taken back"),
    })
}

/// Opens the store and runs `then` on it off the main thread, so a store that
/// hangs sled gives a message instead of a frozen terminal.
fn open_then<T: Send + 'static>(
    path: PathBuf,
    then: impl FnOnce(Store) -> T + Send + 'static,
) -> Result<T, ExitCode> {
    open_for(path, Purpose::Work, then)
}

/// As [`open_then`], for `purpose`.
fn open_for<T: Send + 'static>(
    path: PathBuf,
    purpose: Purpose,
    then: impl FnOnce(Store) -> T + Send + 'static,
) -> Result<T, ExitCode> {
    let then = move |store: Store| {
        say_notices(&store);
        then(store)
    };
    open_then_with(path, purpose, then, &mut || {}, &mut || false)
}

/// As [`open_then`], without saying what opening put right (the app says it
/// once the terminal is its own again); `before_saying` runs before a
/// failure is told (the app's opening screen gives the terminal back);
/// `cancelled` is asked every [`CANCEL_LOOK`] while the store opens (the
/// app's opening screen: the officer pressed Ctrl-C).
fn open_then_with<T: Send + 'static>(
    path: PathBuf,
    purpose: Purpose,
    then: impl FnOnce(Store) -> T + Send + 'static,
    before_saying: &mut dyn FnMut(),
    cancelled: &mut dyn FnMut() -> bool,
) -> Result<T, ExitCode> {
    let (tx, rx) = mpsc::channel();
    let p = path.clone();
    // Once sled has opened the store, what follows is this program's own
    // work (rolling back a load or upgrading the schema of a big store, and
    // taking back a cut-off import, can take minutes): no time limit, and
    // Ctrl-C no longer stops it (cut off, it would go on at the next open all
    // the same, and a limit would cut it off at every open).
    let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sled_done = Arc::clone(&opened);
    std::thread::spawn(move || {
        let noted = || sled_done.store(true, std::sync::atomic::Ordering::Release);
        let answer = Store::open_noting(&p, &noted).and_then(|s| take_back(&p, s, purpose));
        let _ = tx.send(answer.map(then));
    });
    let until = Instant::now() + OPEN_TIMEOUT;
    let answer = loop {
        let done = opened.load(std::sync::atomic::Ordering::Acquire);
        let left = until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(if done { CANCEL_LOOK } else { left.min(CANCEL_LOOK) }) {
            Err(mpsc::RecvTimeoutError::Timeout) if done || !left.is_zero() => {
                // Asked all the same: the keys typed meanwhile are kept.
                if cancelled() && !done {
                    before_saying();
                    say(&Msg::with(k::ERR_OPEN_CANCELLED, [path.display().to_string()]));
                    // As after a hang: the opening thread may be inside sled,
                    // and the store is left as a cut-off process leaves it
                    // (every write of opening is safe to cut).
                    std::process::exit(130);
                }
            }
            other => break other,
        }
    };
    match answer {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            before_saying();
            match (&e, crate::ssh::ssh_command(&path)) {
                (OpenError::Locked { .. }, Some(cmd)) => {
                    say(&Msg::with(k::ERR_OPEN_SERVED, [path.display().to_string(), cmd]))
                }
                _ => say(&messages::open(&e)),
            }
            Err(exit_code(&e))
        }
        Err(_) => {
            before_saying();
            let e =
                OpenError::Damaged { path, detail: format!("no answer after {} s", OPEN_TIMEOUT.as_secs()) };
            say(&messages::open(&e));
            // The reading thread may be stuck inside sled: leave without it.
            std::process::exit(3);
        }
    }
}

fn officer() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| crate::app::LOCAL_OFFICER.into())
}

/// A day typed on the command line (B.E. or C.E., Thai digits too), or
/// today; a wrong one is said and is exit code 2.
fn day_or_today(typed: Option<&str>) -> Result<crate::domain::Date, ExitCode> {
    match typed.map(crate::domain::thai::parse_date) {
        None => Ok(crate::domain::Date::today()),
        Some(Ok(d)) => Ok(d),
        Some(Err(e)) => {
            say(&messages::date(&e));
            Err(ExitCode::from(2))
        }
    }
}

/// The program, run as `role`: the `sammachip` binary hands the commands that
/// write the whole store to `sammachip-bulk` when that is the same build.
pub fn main(role: helper::Role) -> ExitCode {
    let started = Instant::now();
    // Everything this program makes (the store's files, backups, exports,
    // rejects) is for its owner alone, whatever the umask of the shell.
    #[cfg(unix)]
    // SAFETY: umask only sets this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    if let Err(msg) = helper::give_back_if_stale(role) {
        say(&msg);
        return ExitCode::from(1);
    }
    let cli = Cli::parse();
    if let Some(cmd) = &cli.cmd {
        helper::hand_over(role, cmd.whole_store());
    }
    let lang = match cli.lang {
        LangArg::Th => Lang::Th,
        LangArg::En => Lang::En,
    };
    if cli.demo == Some(Scale::Nation) {
        // Minutes of work and a gazetteer: the `demo` command does it.
        say(&Msg::new(k::ERR_DEMO_NEEDS_GAZETTEER));
        return ExitCode::from(1);
    }
    let Some(path) = cli.db.clone().or_else(default_db) else {
        say(&Msg::new(k::ERR_NO_DEFAULT_DB));
        return ExitCode::from(1);
    };
    match cli.cmd {
        Some(Cmd::Demo { scale, seed, replace, geography }) => {
            let land = match (scale, geography) {
                (Scale::Nation, None) => {
                    say(&Msg::new(k::ERR_DEMO_NEEDS_GAZETTEER));
                    return ExitCode::from(1);
                }
                (Scale::Nation, Some(dir)) => match demo::Land::read(&dir) {
                    Ok(land) => land,
                    Err(e) => {
                        say(&Msg::with(k::DEMO_FAILED, [e.to_string()]));
                        return ExitCode::from(1);
                    }
                },
                (_, Some(_)) => {
                    say(&Msg::new(k::ERR_DEMO_GEOGRAPHY_NATION_ONLY));
                    return ExitCode::from(1);
                }
                (_, None) => demo::Land::sisaket(),
            };
            let store = match open_then(path.clone(), |s| s) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let officer = officer();
            // Thousandths in; a line per ten per cent out (the nation takes minutes).
            let shown = std::cell::Cell::new(0);
            let progress = |p: u32| {
                if p / 100 > shown.get() {
                    shown.set(p / 100);
                    eprintln!("{}", Msg::with(k::DEMO_PROGRESS, [(p / 10).to_string()]).render(lang));
                }
            };
            let today = crate::domain::Date::today();
            let written = if replace {
                // Written beside the old store and swapped in whole.
                crate::store::replace::replace(store, &officer, |new| {
                    demo::generate_in(new, &officer, scale, &land, seed, today, &progress)
                })
            } else {
                demo::generate_in(&store, &officer, scale, &land, seed, today, &progress)
            };
            match written {
                Ok(s) => {
                    let counts =
                        [s.funds, s.members, s.loans, s.occupations].map(|n| group_thousands(n as u64));
                    say(&Msg::with(k::DEMO_DONE, counts.into_iter().chain([path.display().to_string()])));
                    ExitCode::SUCCESS
                }
                Err(demo::DemoError::NotEmpty) => {
                    say(&Msg::with(k::ERR_DEMO_NOT_EMPTY, [path.display().to_string()]));
                    ExitCode::from(1)
                }
                Err(e) => {
                    say(&Msg::with(k::DEMO_FAILED, [demo::message(&e)]));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Serve {
            listen,
            host_key,
            max_sessions,
            idle_minutes,
            idle_seconds,
            backup_dir,
            keep_backups,
            backup_every_seconds,
            max_upload_mib,
            max_inbox_mib,
            max_upload_bytes,
            keep_minutes,
            keep_seconds,
            login_seconds,
        }) => {
            let store = match open_then(path.clone(), |s| s) {
                Ok(s) => Arc::new(s),
                Err(code) => return code,
            };
            let host_key =
                host_key.unwrap_or_else(|| path.parent().unwrap_or(&path).join("ssh_host_ed25519_key"));
            let opts = crate::ssh::Options {
                listen,
                host_key,
                max_sessions,
                idle: Duration::from_secs(idle_seconds.unwrap_or(idle_minutes.max(1) * 60).max(1)),
                backups: backup_dir.unwrap_or_else(|| path.parent().unwrap_or(&path).join("backups")),
                keep_backups: keep_backups.max(1),
                backup_every: Duration::from_secs(backup_every_seconds.unwrap_or(86_400).max(1)),
                keep: Duration::from_secs(keep_seconds.unwrap_or(keep_minutes.saturating_mul(60))),
                login: Duration::from_secs(login_seconds),
                uploads: crate::ssh::sftp::Limits {
                    file: max_upload_bytes.unwrap_or(max_upload_mib.saturating_mul(1 << 20)),
                    inbox: max_inbox_mib.saturating_mul(1 << 20),
                },
            };
            match crate::ssh::serve(store, opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    crate::ssh::log(format!("server stopped: {e}"));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Import { kind, file, sheet, dry_run, one_by_one }) => {
            let store = match open_then(path.clone(), |s| s) {
                Ok(s) => Arc::new(s),
                Err(code) => return code,
            };
            let slot = crate::store::ChangeSlot::default();
            import_command(&store, kind, &file, sheet.as_deref(), dry_run, one_by_one.then_some(&slot))
        }
        Some(Cmd::Backup { file }) => backup_command(path, &file),
        Some(Cmd::Restore { file }) => {
            let started = Instant::now();
            match Store::restore_file(&file, &path) {
                Ok((_, summary)) => {
                    say(&Msg::with(
                        k::RESTORED,
                        [
                            file.display().to_string(),
                            path.display().to_string(),
                            group_thousands(summary.pairs),
                        ],
                    ));
                    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say(&Msg::with(k::ERR_RESTORE, [messages::backup(&e)]));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Check { repair }) => {
            let store = match open_existing_for(path.clone(), Purpose::Read, |s| s) {
                Ok(s) => s,
                Err(code) => return code,
            };
            check_command(&store, repair)
        }
        Some(Cmd::Export { kind, output, scope, places, thai_digits }) => {
            let store = match open_existing_then(path.clone(), |s| s) {
                Ok(s) => Arc::new(s),
                Err(code) => return code,
            };
            if kind != crate::io::Kind::Ranking && (scope.is_some() || places.is_some()) {
                say(&Msg::new(k::ERR_SCOPE_RANKING_ONLY));
                return ExitCode::from(2);
            }
            let scope = match scope.as_deref().map(|t| crate::service::ranking::parse_scope(&store, t)) {
                None => crate::service::ranking::ExportScope::EachDistrict,
                Some(Ok(s)) => crate::service::ranking::ExportScope::One(s),
                Some(Err(e)) => {
                    say(&messages::scope(&e));
                    return ExitCode::from(2);
                }
            };
            let how =
                crate::io::export::Options { scope, places: places.map_or(30, usize::from), thai_digits };
            match crate::io::export::export_with(&store, kind, &output, lang, how) {
                Ok(n) => {
                    say(&Msg::with(k::EXPORTED, [group_thousands(n as u64), output.display().to_string()]));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say(&crate::io::messages::export(&e));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Report { scope, date, output }) => {
            let store = match open_existing_then(path.clone(), |s| s) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let district = match scope
                .as_deref()
                .map(|t| crate::domain::thai::normalize_digits(t.trim()).into_owned())
            {
                None => None,
                Some(t) if t == "province" || t == "จังหวัด" => None,
                Some(t) => match t.parse::<u16>() {
                    Ok(d) if t.len() == 4 => Some(d),
                    _ => {
                        say(&Msg::with(k::REPORT_NO_DISTRICT, [t]));
                        return ExitCode::from(2);
                    }
                },
            };
            let date = match day_or_today(date.as_deref()) {
                Ok(d) => d,
                Err(code) => return code,
            };
            // The figures are the store's now (balances, counts): dated a day
            // gone by, the report mixed today's balances with that day's
            // count of late loans, under that day's title.
            let today = crate::domain::Date::today();
            if date < today {
                let day = |d| crate::i18n::Arg::Both {
                    th: crate::domain::thai::format_date(d, Lang::Th),
                    en: crate::domain::thai::format_date(d, Lang::En),
                };
                say(&Msg::with(k::ERR_REPORT_PAST_DATE, [day(date), day(today)]));
                return ExitCode::from(2);
            }
            let o = crate::io::report::ReportOptions { district, date };
            match crate::io::report::write_report(&store, &output, o) {
                Ok(w) => {
                    let (sheets, charts) = (w.sheets.to_string(), w.charts.to_string());
                    say(&Msg::with(k::REPORT_DONE, [output.display().to_string(), sheets, charts]));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say(&crate::io::messages::report(&e));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Collection { fund, date, output }) => {
            let store = match open_existing_then(path.clone(), |s| s) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let date = match day_or_today(date.as_deref()) {
                Ok(d) => d,
                Err(code) => return code,
            };
            match crate::io::collection::write_sheet(&store, &fund, date, &output, lang) {
                Ok(n) => {
                    say(&Msg::with(k::EXPORTED, [group_thousands(n as u64), output.display().to_string()]));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say(&crate::io::messages::collection(&e));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Template { kind, fund, output }) => {
            let store = match open_existing_then(path.clone(), |s| s) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let today = crate::domain::Date::today();
            match crate::io::template::write(&store, kind, &fund, &output, lang, today) {
                Ok(w) => {
                    say(&Msg::with(
                        k::TPL_WRITTEN,
                        [
                            crate::io::template::kind_name(kind, lang).to_string(),
                            fund.trim().to_string(),
                            group_thousands(w.rows as u64),
                            output.display().to_string(),
                        ],
                    ));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say(&crate::io::messages::template(&e));
                    ExitCode::from(if matches!(e, crate::io::template::TemplateError::Store(_)) {
                        1
                    } else {
                        2
                    })
                }
            }
        }
        Some(Cmd::User { cmd }) => {
            let store = match open_then(path.clone(), |s| s) {
                Ok(s) => s,
                Err(code) => return code,
            };
            user_command(&store, cmd)
        }
        None => {
            let size = crossterm::terminal::size().unwrap_or((80, 24));
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let opening = tui::Opening::show(lang, no_color);
            let opened = open_then_with(
                path,
                Purpose::Work,
                move |store| {
                    let store = Arc::new(store);
                    let app = App::new(&store, officer(), lang, size);
                    (store, app)
                },
                &mut || opening.end(),
                &mut || opening.cancelled(),
            );
            let (store, mut app) = match opened {
                Ok(pair) => pair,
                Err(code) => return code,
            };
            app.no_color = no_color;
            // The officer's inbox, as over SSH: `files/LOGIN/inbox/` beside the
            // store (a login name the server would not take reads as `local`).
            let login = Some(officer())
                .filter(|o| crate::domain::officer::valid_login(o))
                .unwrap_or_else(|| crate::app::LOCAL_OFFICER.into());
            app.inbox_dir = Some(crate::store::files::officer_dir(store.path(), &login).join("inbox"));
            if let Some(scale) = cli.demo
                && app.overlay.is_some()
            {
                app.overlay = None;
                app.start_demo(&store, scale, DEFAULT_SEED);
            }
            let typed_ahead = opening.hand_over();
            let opts = tui::Options {
                exit_after_first_frame: cli.exit_after_first_frame.then_some(started),
                typed_ahead,
            };
            let kept = Arc::clone(&store);
            let ran = tui::run(store, app, opts);
            // What opening put right, on the ordinary screen (the app showed
            // the last of it too).
            say_notices(&kept);
            drop(kept);
            match ran {
                Ok(Some(first_frame)) => {
                    println!("first frame after {:.1} ms", first_frame.as_secs_f64() * 1000.0);
                    ExitCode::SUCCESS
                }
                Ok(None) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{}: {e}", tr(Lang::Th, k::ERR_TERMINAL));
                    eprintln!("{}: {e}", tr(Lang::En, k::ERR_TERMINAL));
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `user add`: an account, or a key for one. An existing account given
/// another role or place moves: said, after the line that it was saved.
fn add_account(
    store: &Store,
    who: crate::store::Actor<'_>,
    n: &crate::service::accounts::NewOfficer<'_>,
) -> Result<Msg, Msg> {
    use crate::service::accounts;
    let moved = accounts::changes(store, n)?;
    let o = accounts::add(store, who, n)?;
    let added = Msg::with(k::USER_ADDED, [o.login, o.role.name().to_string(), o.keys.len().to_string()]);
    match moved {
        Some((was, will)) => {
            say(&added);
            Ok(Msg::with(k::USER_MOVED, [n.login.to_string(), was, will]))
        }
        None => Ok(added),
    }
}

/// `sammachip user …`: run by whoever may open the store's files, so with an
/// administrator's rights; the audit names them as `cli:USER`.
fn user_command(store: &Store, cmd: UserCmd) -> ExitCode {
    use crate::{
        domain::officer::Role,
        service::accounts::{self, NewOfficer},
        store::Actor,
    };
    let name = format!("cli:{}", officer());
    let who = Actor::from(&name);
    let result =
        match cmd {
            UserCmd::Add { login, role, district, fund, key, name: display } => {
                let role = Role::parse(&role).unwrap_or(Role::Viewer);
                match std::fs::read_to_string(&key) {
                    Err(e) => Err(Msg::with(k::ERR_BAD_KEY, [format!("{}: {e}", key.display())])),
                    Ok(text) => {
                        let n = NewOfficer {
                            login: &login,
                            display_name: &display,
                            role,
                            district,
                            fund_code: fund.as_deref(),
                            key_line: &text,
                        };
                        add_account(store, who, &n)
                    }
                }
            }
            UserCmd::List => {
                return match accounts::listing(store) {
                    Ok(lines) if lines.is_empty() => {
                        say(&Msg::new(k::USER_NONE));
                        ExitCode::SUCCESS
                    }
                    Ok(lines) => {
                        for l in lines {
                            println!("{l}");
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        say(&messages::store(&e));
                        ExitCode::from(1)
                    }
                };
            }
            UserCmd::Disable { login } => accounts::set_disabled(store, who, &login, true)
                .map(|o| Msg::with(k::USER_DISABLED, [o.login])),
            UserCmd::Enable { login } => accounts::set_disabled(store, who, &login, false)
                .map(|o| Msg::with(k::USER_ENABLED, [o.login])),
            UserCmd::RemoveKey { login, n } => accounts::remove_key(store, who, &login, n)
                .map(|o| Msg::with(k::USER_KEY_REMOVED, [o.login, o.keys.len().to_string()])),
        };
    match result {
        Ok(msg) => {
            say(&msg);
            ExitCode::SUCCESS
        }
        Err(msg) => {
            say(&msg);
            ExitCode::from(1)
        }
    }
}

/// `sammachip import …` with a progress bar on stderr for long files.
fn import_command(
    store: &Arc<Store>,
    kind: crate::io::Kind,
    file: &std::path::Path,
    sheet: Option<&str>,
    dry_run: bool,
    change: Option<&crate::store::ChangeSlot>,
) -> ExitCode {
    use crate::io::import::{self, Options};
    let officer = format!("cli:{}", officer());
    let opts = Options {
        kind,
        path: file,
        sheet,
        dry_run,
        officer: &officer,
        today: crate::domain::Date::today(),
        // The command line is the computer's administrator, as it always was.
        access: crate::domain::officer::Access::Admin,
        rejects_dir: None,
        change,
    };
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let started = Instant::now();
    let progress = |done: u64, total: u64| {
        if tty && started.elapsed() > Duration::from_millis(500) {
            let pct = (done.min(total) * 100).checked_div(total).unwrap_or(100);
            let bar = "█".repeat((pct / 4) as usize) + &"·".repeat(25 - (pct / 4) as usize);
            eprint!("\r{bar} {pct:3}%");
        }
    };
    let result = import::import(store, &opts, &progress);
    if tty && started.elapsed() > Duration::from_millis(500) {
        eprintln!();
    }
    match result {
        Ok(s) => {
            let n = |x: usize| group_thousands(x as u64);
            say(&Msg::with(k::IMP_DONE, [n(s.read), n(s.imported), n(s.refused)]));
            if s.unfilled > 0 {
                say(&Msg::with(k::IMP_UNFILLED, [n(s.unfilled)]));
            }
            if s.refused > 0 {
                match (&s.rejects_file, &s.rejects_unwritten) {
                    (Some(f), _) => say(&Msg::with(k::IMP_NOTHING_SAVED, [f.display().to_string()])),
                    // The file could not be written: said, and the reasons
                    // follow all the same.
                    (None, why) => {
                        say(&Msg::new(k::IMP_NOTHING_SAVED_HERE));
                        if let Some(why) = why {
                            say(&crate::io::messages::rejects_unwritten(why));
                        }
                    }
                }
                // The reasons quote the file's cells: shown, never obeyed.
                // Each within 80 columns: the row and column, the Thai
                // reason, the English one under it.
                for r in s.rejects.iter().take(10) {
                    let th = format!("{} {}: {}", r.row, r.column, r.reason.render(Lang::Th));
                    for (text, indent) in [(th, "  "), (r.reason.render(Lang::En), "      ")] {
                        for part in text.lines() {
                            let part = crate::domain::clean::line(part);
                            for l in crate::i18n::wrap(&part, 80 - indent.len()) {
                                eprintln!("{indent}{l}");
                            }
                        }
                    }
                }
                return ExitCode::from(4);
            }
            if dry_run {
                say(&Msg::new(k::IMP_DRY_RUN));
            }
            eprintln!("{:.1} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            say(&crate::io::messages::import(&e));
            ExitCode::from(1)
        }
    }
}

/// `sammachip backup FILE`: straight from the store, or — when a server or an
/// officer's app holds it — by asking that process through its control socket.
fn backup_command(path: PathBuf, file: &std::path::Path) -> ExitCode {
    let started = Instant::now();
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let done = |pairs: u64, bytes: u64| {
        say(&Msg::with(
            k::BACKED_UP,
            [file.display().to_string(), group_thousands(pairs), format!("{:.1}", bytes as f64 / 1e6)],
        ));
        eprintln!("{:.1} s", started.elapsed().as_secs_f64());
        ExitCode::SUCCESS
    };
    let opened = match no_store_at(&path) {
        Some(e) => Err(e),
        None => open_store_for(&path, Purpose::Read).inspect(say_notices),
    };
    match opened {
        Ok(store) => match store.backup_file(&file) {
            Ok(s) => done(s.pairs, s.bytes),
            Err(e) => {
                say(&Msg::with(k::ERR_BACKUP, [messages::backup(&e)]));
                ExitCode::from(1)
            }
        },
        Err(OpenError::Locked { .. }) => match crate::service::control::request_backup(&path, &file) {
            Ok((pairs, bytes)) => done(pairs, bytes),
            Err(e) => {
                say(&Msg::with(k::ERR_BACKUP, [e]));
                ExitCode::from(2)
            }
        },
        Err(e) => {
            say(&messages::open(&e));
            exit_code(&e)
        }
    }
}

/// One problem `check` found, on a line: where, what kind in Thai, and what
/// in English (`members 7/12: อ้างถึงข้อมูลที่ไม่มี · belongs to fund 9, …`).
fn problem_line(p: &crate::store::check::Problem) -> String {
    let kind = messages::fault(p.fault).render(Lang::Th);
    crate::domain::clean::line(&format!("{} {}: {kind} · {}", p.tree, p.key, p.what)).into_owned()
}

fn check_command(store: &Store, repair: bool) -> ExitCode {
    let started = Instant::now();
    // The store holds citizens' national IDs: say so if others can read it
    // (or the backups the server keeps beside it).
    let backups = store.path().parent().unwrap_or(store.path()).join("backups");
    for path in [store.path(), backups.as_path()] {
        if let Some(open) = crate::store::files::readable_by_others(path).first() {
            say(&Msg::with(k::WARN_PRIVATE, [open.display().to_string(), path.display().to_string()]));
        }
    }
    if repair {
        match store.repair(&format!("cli:{}", officer())) {
            Ok(r) => {
                for msg in &messages::repair(&r) {
                    print_both(msg);
                }
                if !r.left.is_empty() {
                    print_both(&Msg::with(k::REPAIR_LEFT, [group_thousands(r.left.len() as u64)]));
                    // Each line is Thai and English already (`problem_line`).
                    for p in &r.left {
                        println!("{}", problem_line(p));
                    }
                }
            }
            Err(e) => {
                say(&messages::store(&e));
                return ExitCode::from(1);
            }
        }
        // An import a cut-off process left that the open could not take
        // back: tried again on the repaired store, or settled.
        let told = store.notices().len();
        if let Err(e) = crate::service::changes::settle_stuck_imports(store) {
            say(&messages::store(&e));
            return ExitCode::from(1);
        }
        for n in store.notices().iter().skip(told) {
            print_both(&messages::notice(n));
        }
    }
    match store.check() {
        Ok(report) => {
            for p in &report.problems {
                println!("{}", problem_line(p));
            }
            let total = report.problems.len() as u64 + report.more;
            eprintln!("{:.1} s", started.elapsed().as_secs_f64());
            if total == 0 {
                say(&Msg::new(k::CHECK_CLEAN));
                ExitCode::SUCCESS
            } else {
                say(&Msg::with(k::CHECK_PROBLEMS, [group_thousands(total)]));
                ExitCode::from(5)
            }
        }
        Err(e) => {
            say(&messages::store(&e));
            ExitCode::from(3)
        }
    }
}
