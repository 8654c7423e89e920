//! `sammachip serve`: one process holds the store and serves many officers over
//! SSH. Each connection logs in with a registered public key and gets its own
//! app on a thread of its own, on a terminal of the size its client asked for.
//!
//! Input bytes go to the session's thread through a bounded queue (a flood is
//! dropped, never buffered without end); frames go back as one SSH data message
//! each, and a client that does not read makes its own session wait, not the
//! server buffer: russh takes no new message for a channel while the last one
//! is still waiting for the client's window.

pub mod control;
pub mod desk;
pub mod gate;
pub mod input;
pub mod log;
pub mod sftp;

use std::{
    io::{self, Write},
    net::SocketAddr,
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicBool, AtomicUsize, Ordering},
        mpsc::{self, RecvTimeoutError, SyncSender, TrySendError},
    },
    time::{Duration, Instant},
};

use crossterm::{
    cursor,
    event::{self, Event as CEvent},
    terminal,
};
use ratatui::{Terminal, TerminalOptions, Viewport, backend::CrosstermBackend, layout::Rect};
use russh::{
    Channel, ChannelId, MethodKind, MethodSet, Pty,
    keys::{PrivateKey, ssh_key::LineEnding},
    server::{Auth, ChannelOpenHandle, Handler, Msg, PublicKeyOffer, Session, VerifiedPublicKey},
};

use crate::{
    app::App,
    domain::{Date, Lang, officer::Officer},
    front::{self, End, Frontend, Next},
    i18n::{k, tr},
    service::catalog::Catalog,
    store::{Notice, Store},
};

use desk::{Event, Out};
use input::{In, Input};

pub struct Options {
    pub listen: SocketAddr,
    pub host_key: PathBuf,
    pub max_sessions: usize,
    /// A session with no keystroke for this long is closed.
    pub idle: Duration,
    /// Where the daily backups go, and how many are kept.
    pub backups: PathBuf,
    pub keep_backups: usize,
    /// Time between backups (a day; shorter in tests).
    pub backup_every: Duration,
    /// What SFTP uploads may take.
    pub uploads: sftp::Limits,
    /// How long a session whose connection dropped is kept for the
    /// officer's next login.
    pub keep: Duration,
    /// How long a connection may take to log in.
    pub login: Duration,
}

/// Tests set this to a login whose sessions then fail on purpose, to show that
/// a failing session ends alone.
pub const FAULT_ENV: &str = "SAMMACHIP_TEST_FAULT_LOGIN";

/// The file in the store's directory that tells a local `sammachip` which
/// server holds the store.
pub const SERVING_FILE: &str = "serving";

pub use log::log;

/// Reads the host key, or makes one (ed25519) and keeps it readable by the
/// server's user only.
pub fn host_key(path: &Path) -> anyhow::Result<PrivateKey> {
    use crate::store::files::{make_private, readable_by_others};
    if path.exists() {
        if !readable_by_others(path).is_empty() {
            make_private(path)?;
            log(format!("host key {} was readable by others; now 0600", path.display()));
        }
        return PrivateKey::read_openssh_file(path)
            .map_err(|e| anyhow::anyhow!("host key {} cannot be read: {e}", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let seed: [u8; 32] = rand::random();
    let key = PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed));
    key.write_openssh_file(path, LineEnding::LF)?;
    make_private(path)?;
    log(format!("new host key {} ({})", path.display(), key.fingerprint(russh::keys::HashAlg::Sha256)));
    Ok(key)
}

/// What every connection shares.
pub struct Shared {
    pub store: Arc<Store>,
    pub catalog: Arc<RwLock<Catalog>>,
    /// The funds, sages, gazetteer and Overview figures every session reads
    /// alike: one copy for the server.
    pub common: Arc<crate::app::Common>,
    pub sessions: AtomicUsize,
    pub max_sessions: usize,
    pub idle: Duration,
    pub uploads: sftp::Limits,
    /// Every officer's session, connected or kept (see [`desk`]).
    pub desks: desk::Desks,
    fault_login: Option<String>,
    /// Imports the store's open took back (a server stopped while an
    /// officer's import was being saved), each said to its officer at
    /// their next login, once.
    cut_imports: Mutex<Vec<crate::store::Notice>>,
}

impl Shared {
    /// Loads the occupation catalog once for every session.
    pub fn new(
        store: Arc<Store>,
        max_sessions: usize,
        idle: Duration,
    ) -> Result<Shared, crate::store::StoreError> {
        let mut catalog = Catalog::load(&store, Date::today())?;
        catalog.revision = 1;
        let catalog = Arc::new(RwLock::new(catalog));
        // The first login finds the lists read.
        let common = crate::app::Common::new();
        common.funds(&store)?;
        App::warm(&store, &catalog, &common);
        crate::app::release_free_memory();
        Ok(Shared {
            catalog,
            common,
            sessions: AtomicUsize::new(0),
            max_sessions,
            idle,
            uploads: sftp::Limits::default(),
            desks: desk::Desks::new(Duration::from_secs(600)),
            fault_login: std::env::var(FAULT_ENV).ok().filter(|s| !s.is_empty()),
            cut_imports: Mutex::new(
                store.notices().into_iter().filter(|n| matches!(n, Notice::CutImport { .. })).collect(),
            ),
            store,
        })
    }

    /// What the store's open did to one of `login`'s imports (the newest
    /// first), taken from the list so that each is said once: a second one
    /// waits for their next login (the status line holds one message).
    pub fn cut_import_of(&self, login: &str) -> Option<crate::i18n::Msg> {
        let mut all = self.cut_imports.lock().unwrap_or_else(|p| p.into_inner());
        let at =
            all.iter().position(|n| matches!(n, Notice::CutImport { officer, .. } if officer == login))?;
        Some(crate::service::messages::notice(&all.remove(at)))
    }
}

/// The server's config: public keys only, small per-channel queues.
pub fn config(key: PrivateKey, idle: Duration) -> russh::server::Config {
    russh::server::Config {
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        keys: vec![key],
        auth_rejection_time: Duration::from_millis(300),
        auth_rejection_time_initial: Some(Duration::ZERO),
        // Frames waiting for a slow client, per session.
        channel_buffer_size: 8,
        // Sessions close themselves after `idle` with a message; this also ends
        // connections that never log in or whose client vanished.
        inactivity_timeout: Some(idle + Duration::from_secs(60)),
        keepalive_interval: Some(Duration::from_secs(60)),
        nodelay: true,
        ..Default::default()
    }
}

impl Connection {
    fn new(shared: Arc<Shared>, peer: SocketAddr, ticket: Arc<gate::Ticket>) -> Connection {
        Connection {
            shared,
            peer: Some(peer),
            ticket,
            officer: None,
            channel: None,
            opened: None,
            size: (80, 24),
            term: String::new(),
            lang: Lang::Th,
            no_color: false,
            route: None,
            dropping: false,
        }
    }
}

/// Where a connection's input goes: the session it draws, which a choice at
/// login may change.
struct Route {
    to: Mutex<SyncSender<Event>>,
    link_no: u64,
    alive: Arc<AtomicBool>,
}

impl Route {
    fn send(&self, ev: Event) -> Result<(), TrySendError<Event>> {
        self.to.lock().unwrap_or_else(|p| p.into_inner()).try_send(ev)
    }

    fn point_to(&self, tx: SyncSender<Event>) {
        *self.to.lock().unwrap_or_else(|p| p.into_inner()) = tx;
    }

    /// The connection went: its session is told (and kept for a resume).
    fn gone(&self) {
        if self.alive.swap(false, Ordering::SeqCst) {
            let _ = self.send(Event::Gone(self.link_no));
        }
    }
}

/// Bytes a session may have waiting before more are dropped.
const INPUT_QUEUE: usize = 256;

pub struct Connection {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    /// Its place at the door (see `gate`): let go of once logged in.
    ticket: Arc<gate::Ticket>,
    officer: Option<Officer>,
    channel: Option<ChannelId>,
    /// The channel until it asks for a shell (dropped: its bytes reach
    /// `data`) or for SFTP (which reads it as a stream).
    opened: Option<Channel<Msg>>,
    size: (u16, u16),
    term: String,
    lang: Lang,
    no_color: bool,
    route: Option<Arc<Route>>,
    /// Input is being dropped (logged once per flood).
    dropping: bool,
}

fn clamp_size(w: u32, h: u32) -> (u16, u16) {
    let c = |v: u32, max: u16| u16::try_from(v).unwrap_or(max).clamp(1, max);
    (c(w, 500), c(h, 300))
}

impl Connection {
    fn who(&self) -> String {
        let login = self.officer.as_ref().map_or("-", |o| o.login.as_str());
        match self.peer {
            Some(p) => format!("{login}@{p}"),
            None => login.to_string(),
        }
    }

    fn peer_text(&self) -> String {
        self.peer.map_or_else(|| "?".into(), |p| p.to_string())
    }

    fn check(&self, user: &str, key: &russh::keys::PublicKey) -> Option<Officer> {
        match crate::service::accounts::authorize(&self.shared.store, user, key) {
            Ok(o) => o,
            Err(e) => {
                log(format!("login {user}: store error {e}"));
                None
            }
        }
    }
}

impl Connection {
    /// Takes a seat for a session (the app or SFTP), or tells the client the
    /// server is full and closes the channel. The seat is given back by a
    /// [`Counted`] the session holds.
    fn seat(&self, channel: ChannelId, session: &mut Session) -> Result<Option<usize>, anyhow::Error> {
        let n = self.shared.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.shared.max_sessions {
            return Ok(Some(n));
        }
        self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
        log(format!("refused {}: {} sessions already", self.who(), self.shared.max_sessions));
        let max = self.shared.max_sessions.to_string();
        let text = format!(
            "{}\r\n{}\r\n",
            tr(Lang::Th, k::SSH_FULL).replace("{}", &max),
            tr(Lang::En, k::SSH_FULL).replace("{}", &max)
        );
        session.data(channel, text.into_bytes())?;
        session.exit_status_request(channel, 1)?;
        session.close(channel)?;
        Ok(None)
    }
}

impl Handler for Connection {
    type Error = anyhow::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.check(user, offer.public_key).is_some() {
            return Ok(Auth::Accept);
        }
        log(format!("refused {user}@{}: key not registered for an enabled account", self.peer_text()));
        Ok(Auth::reject())
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        match self.check(user, key.public_key) {
            // Shut out at the door (to make room, or too slow) as it got here.
            Some(_) if !self.ticket.log_in() => {
                log(format!(
                    "refused {user}@{}: the connection was closed before the login",
                    self.peer_text()
                ));
                Ok(Auth::reject())
            }
            Some(o) => {
                self.officer = Some(o);
                log(format!("login {}", self.who()));
                Ok(Auth::Accept)
            }
            None => {
                log(format!(
                    "refused {user}@{}: key not registered for an enabled account",
                    self.peer_text()
                ));
                Ok(Auth::reject())
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() {
            // One screen per connection.
            reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        self.opened = Some(channel);
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.size = clamp_size(col_width, row_height);
        self.term = term.chars().take(64).collect();
        session.channel_success(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        _channel: ChannelId,
        name: &str,
        value: &str,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        match name {
            "LANG" | "LC_ALL" | "LC_MESSAGES" => {
                self.lang = if value.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Th }
            }
            "NO_COLOR" => self.no_color = !value.is_empty(),
            _ => {}
        }
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        // Its bytes come to `data` from now on.
        self.opened = None;
        let Some(officer) = self.officer.clone() else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        session.channel_success(channel)?;
        let link_no = desk::next_link_no();
        let alive = Arc::new(AtomicBool::new(true));
        let link = Box::new(desk::Link {
            link_no,
            out: Out::new(session.handle(), channel, tokio::runtime::Handle::current(), Arc::clone(&alive)),
            size: self.size,
            alive: Arc::clone(&alive),
            no_color: self.no_color || matches!(self.term.as_str(), "dumb" | "vt100" | "vt102"),
            who: self.who(),
        });
        // A session kept from a dropped link is taken back at once.
        let (link, found) = match self.shared.desks.resume(&officer.login, link) {
            Ok(desk) => {
                log(format!("session {} resumed", self.who()));
                self.route = Some(Arc::new(Route { to: Mutex::new(desk.tx.clone()), link_no, alive }));
                return Ok(());
            }
            Err(back) => back,
        };
        let Some(n) = self.seat(channel, session)? else { return Ok(()) };
        let (tx, rx) = mpsc::sync_channel(INPUT_QUEUE);
        let route = Arc::new(Route { to: Mutex::new(tx.clone()), link_no, alive });
        self.route = Some(Arc::clone(&route));
        let setup = SessionSetup {
            shared: Arc::clone(&self.shared),
            officer,
            link,
            lang: self.lang,
            choose: matches!(found, desk::Found::Connected).then_some(route),
            tx,
        };
        log(format!(
            "session {} ({}×{}, TERM={}, {} now)",
            setup.link.who, self.size.0, self.size.1, self.term, n
        ));
        std::thread::Builder::new()
            .name(format!("session {}", setup.link.who))
            .spawn(move || run_session(setup, rx))?;
        Ok(())
    }

    /// No commands: officers have the app, not a shell.
    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        log(format!("{}: exec refused", self.who()));
        session.channel_failure(channel)?;
        Ok(())
    }

    /// `sftp` is served (see [`sftp`]); any other subsystem is refused at
    /// once instead of waiting for an answer that never comes.
    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (Some(officer), Some(opened)) = (self.officer.clone(), self.opened.take()) else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        if name != "sftp" {
            log(format!("{}: subsystem {name} refused", self.who()));
            session.channel_failure(channel)?;
            session.close(channel)?;
            return Ok(());
        }
        let root = officer_dir(self.shared.store.path(), &officer.login);
        if let Err(e) = sftp::make_folders(&root) {
            log(format!("{}: sftp refused, folder {}: {e}", self.who(), root.display()));
            session.channel_failure(channel)?;
            session.close(channel)?;
            return Ok(());
        }
        session.channel_success(channel)?;
        let Some(n) = self.seat(channel, session)? else { return Ok(()) };
        log(format!("sftp {} ({n} sessions now)", self.who()));
        let may_upload = !matches!(officer.access(), crate::domain::officer::Access::Viewer);
        let seat = Counted(Arc::clone(&self.shared));
        let handler = sftp::Sftp::new(root, self.who(), may_upload, self.shared.uploads, Box::new(seat));
        russh_sftp::server::run(opened.into_stream(), handler).await;
        Ok(())
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        Ok(())
    }

    /// No forwarding of any kind: these channels are refused as they open.
    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host_to_connect: &str,
        _port_to_connect: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        log(format!("{}: port forwarding refused", self.who()));
        reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
        Ok(())
    }

    async fn channel_open_direct_streamlocal(
        &mut self,
        _channel: Channel<Msg>,
        _socket_path: &str,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
        Ok(())
    }

    async fn channel_open_x11(
        &mut self,
        _channel: Channel<Msg>,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
        Ok(())
    }

    async fn data(
        &mut self,
        _channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(route) = &self.route {
            match route.send(Event::Bytes(route.link_no, data.to_vec())) {
                Ok(()) | Err(TrySendError::Disconnected(_)) => self.dropping = false,
                Err(TrySendError::Full(_)) => {
                    if !self.dropping {
                        log(format!("{}: input dropped, session busy", self.who()));
                    }
                    self.dropping = true;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.size = clamp_size(col_width, row_height);
        if let Some(route) = &self.route {
            let _ = route.send(Event::Resize(route.link_no, self.size.0, self.size.1));
        }
        Ok(())
    }

    async fn channel_eof(&mut self, _channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        if let Some(route) = self.route.take() {
            route.gone();
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(route) = self.route.take() {
            route.gone();
        }
        Ok(())
    }
}

impl Drop for Connection {
    /// However the connection ends (the client killed, the line down), its
    /// session hears of it and is kept.
    fn drop(&mut self) {
        if let Some(route) = self.route.take() {
            route.gone();
        }
    }
}

struct SessionSetup {
    shared: Arc<Shared>,
    officer: Officer,
    link: Box<desk::Link>,
    lang: Lang,
    /// The officer has a session connected elsewhere: ask first whether to
    /// take it over (this connection's route is moved to it) or start anew.
    choose: Option<Arc<Route>>,
    /// The session's own input, which its desk hands to later connections.
    tx: SyncSender<Event>,
}

/// Counts the session out however it ends.
struct Counted(Arc<Shared>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Takes the session's desk off the server's list however it ends; a
/// connection handed to it in that moment is told to connect again.
struct Leaving {
    shared: Arc<Shared>,
    desk: Arc<desk::Desk>,
    rx: Arc<Mutex<mpsc::Receiver<Event>>>,
}

impl Drop for Leaving {
    fn drop(&mut self) {
        let mut list = self.shared.desks.lock();
        desk::Desks::remove(&mut list, &self.desk);
        drop(list);
        let rx = self.rx.lock().unwrap_or_else(|p| p.into_inner());
        while let Ok(ev) = rx.try_recv() {
            if let Event::Attach(link) = ev {
                link.out.close_with(Some(k::SSH_ENDED), 1);
            }
        }
    }
}

/// The officer's choice when a session of theirs is connected elsewhere.
enum Choice {
    TakeOver,
    New,
    /// The connection went before they chose.
    Gone,
    /// Neither (Esc): the connection is closed.
    Leave,
}

/// Asks on a plain screen: `1` (or Enter) takes the other session over
/// here, `2` opens a new one.
fn choose(link: &mut desk::Link, rx: &mpsc::Receiver<Event>, lang: Lang) -> Choice {
    let text = tr(lang, k::SSH_SECOND_LOGIN).replace('\n', "\r\n");
    let other =
        tr(if lang == Lang::Th { Lang::En } else { Lang::Th }, k::SSH_SECOND_LOGIN).replace('\n', "\r\n");
    let screen = format!("\x1b[?1049h\x1b[2J\x1b[H{text}\r\n\r\n{other}\r\n");
    if link.out.write_all(screen.as_bytes()).and_then(|()| link.out.send()).is_err() {
        return Choice::Gone;
    }
    let mut input = Input::default();
    loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(Event::Bytes(g, b)) if g == link.link_no => {
                for e in input.feed(&b).into_iter().chain(input.flush()) {
                    if let In::Key(key) = e {
                        match key.code {
                            crossterm::event::KeyCode::Enter | crossterm::event::KeyCode::Char('1' | '๑') =>
                            {
                                return Choice::TakeOver;
                            }
                            crossterm::event::KeyCode::Char('2' | '๒') => return Choice::New,
                            crossterm::event::KeyCode::Esc | crossterm::event::KeyCode::Char('q') => {
                                return Choice::Leave;
                            }
                            _ => {}
                        }
                    }
                }
            }
            Ok(Event::Gone(g)) if g == link.link_no => return Choice::Gone,
            Ok(_) | Err(RecvTimeoutError::Timeout) if link.alive.load(Ordering::SeqCst) => {}
            _ => return Choice::Gone,
        }
    }
}

fn run_session(mut s: SessionSetup, rx: mpsc::Receiver<Event>) {
    let counted = Counted(Arc::clone(&s.shared));
    if let Some(route) = s.choose.take() {
        match choose(&mut s.link, &rx, s.lang) {
            Choice::TakeOver => {
                let who = s.link.who.clone();
                // The seat goes back: the session taken over has its own.
                drop(counted);
                match s.shared.desks.take_over(&s.officer.login, s.link) {
                    Ok(desk) => {
                        route.point_to(desk.tx.clone());
                        log(format!("session {who} took over the officer's other session"));
                    }
                    // It ended meanwhile: nothing to take over.
                    Err(link) => link.out.close_with(Some(k::SSH_ENDED), 1),
                }
                return;
            }
            Choice::Gone => return,
            Choice::Leave => {
                s.link.out.close_with(None, 0);
                return;
            }
            Choice::New => {}
        }
    }
    let who = s.link.who.clone();
    let shared = Arc::clone(&s.shared);
    let started = Instant::now();
    let desk = Arc::new(desk::Desk::new(s.officer.login.clone(), s.tx.clone()));
    s.shared.desks.add(Arc::clone(&desk));
    let rx = Arc::new(Mutex::new(rx));
    let leaving = Leaving { shared: Arc::clone(&s.shared), desk: Arc::clone(&desk), rx: Arc::clone(&rx) };
    // The channel the session draws on now, to close after a panic.
    let current = Arc::new(Mutex::new(Some(s.link.out.closer())));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| session_loop(s, &rx, &desk, &current)));
    let last = current.lock().unwrap_or_else(|p| p.into_inner()).take();
    match result {
        Ok(Ok((reason, kept))) => {
            log(format!("session {who} ended ({reason}) after {} s", started.elapsed().as_secs()));
            if let Some(out) = last {
                out.close(0);
            }
            if kept {
                drop(leaving);
                drop(counted);
                // A kept session's memory goes back to the system.
                crate::app::release_free_memory();
                let (kept, all) = shared.desks.counts();
                log(format!("{kept} sessions kept for a resume, {all} in all"));
            }
        }
        Ok(Err(e)) => {
            log(format!("session {who} ended: {e}"));
            if let Some(out) = last {
                out.close(1);
            }
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            log(format!("session {who} ended on an internal error: {what}"));
            if let Some(out) = last {
                out.close_with(Some(k::SSH_CRASHED), 1);
            }
        }
    }
}

/// A new screen on a link: the alternate screen, cursor hidden, cleared, and
/// pastes marked as pastes (bracketed paste: a pasted line goes into the
/// field as text, never as keys on a list).
fn screen_on(out: Out, (w, h): (u16, u16)) -> io::Result<Terminal<CrosstermBackend<Out>>> {
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(out),
        TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) },
    )?;
    crossterm::queue!(
        terminal.backend_mut(),
        terminal::EnterAlternateScreen,
        cursor::Hide,
        terminal::Clear(terminal::ClearType::All),
        event::EnableBracketedPaste
    )?;
    Ok(terminal)
}

/// Runs one officer's app until they quit, leave, idle out, or their
/// connection has been gone longer than the keep time. Returns why, and
/// whether it ended kept (no connection).
fn session_loop(
    s: SessionSetup,
    rx: &Arc<Mutex<mpsc::Receiver<Event>>>,
    desk: &Arc<desk::Desk>,
    current: &Arc<Mutex<Option<Out>>>,
) -> io::Result<(&'static str, bool)> {
    let store = Arc::clone(&s.shared.store);
    let (w, h) = s.link.size;
    let mut app = App::with_catalog(
        &store,
        s.officer.login.clone(),
        s.officer.access(),
        s.lang,
        (w, h),
        Arc::clone(&s.shared.catalog),
        Arc::clone(&s.shared.common),
    );
    app.no_color = s.link.no_color;
    // Every export of this session goes into the officer's own folder.
    app.export_dir = Some(officer_dir(store.path(), &s.officer.login).join("outbox"));
    // And every import reads from their inbox.
    app.inbox_dir = Some(officer_dir(store.path(), &s.officer.login).join("inbox"));
    let mut front = Remote {
        terminal: Some(screen_on(s.link.out, s.link.size)?),
        link_no: s.link.link_no,
        alive: s.link.alive,
        who: s.link.who,
        detached: None,
        shared: Arc::clone(&s.shared),
        desk: Arc::clone(desk),
        current: Arc::clone(current),
        rx: Arc::clone(rx),
        input: Input::default(),
        last_input: Instant::now(),
        idle: s.shared.idle,
        login: s.officer.login.clone(),
        fault: s.shared.fault_login.as_deref() == Some(s.officer.login.as_str()),
        seen_accounts: store.generations().of(crate::store::trees::OFFICERS),
    };
    // Their import cut off by a stopped server was taken back: say so (the
    // server's log is not theirs to read), once their screen is up.
    if let Some(msg) = s.shared.cut_import_of(&s.officer.login) {
        app.sh.error(msg);
    }
    let reason = match front::run(&mut front, &mut app, &store, None)? {
        End::Left(why) => return Ok((why, front.terminal.is_none())),
        End::Quit | End::FirstFrame(_) => "quit",
    };
    if let Some(terminal) = &mut front.terminal {
        crossterm::queue!(
            terminal.backend_mut(),
            event::DisableBracketedPaste,
            cursor::Show,
            terminal::LeaveAlternateScreen
        )?;
        terminal.backend_mut().flush()?;
    }
    Ok((reason, false))
}

/// One officer's session, for the event loop: bytes in (read as keys and
/// pastes) from whichever connection it is on, frames out to it; kept, with
/// no screen, while it has none.
struct Remote {
    /// The screen it draws on; `None` while its connection is gone.
    terminal: Option<Terminal<CrosstermBackend<Out>>>,
    /// The connection it draws on (its input is tagged with this).
    link_no: u64,
    alive: Arc<AtomicBool>,
    who: String,
    /// Since when it has had no connection.
    detached: Option<Instant>,
    shared: Arc<Shared>,
    desk: Arc<desk::Desk>,
    current: Arc<Mutex<Option<Out>>>,
    rx: Arc<Mutex<mpsc::Receiver<Event>>>,
    input: Input,
    last_input: Instant,
    idle: Duration,
    login: String,
    /// Panic on the next input (tests of a failing session).
    fault: bool,
    /// How often the officer accounts had changed when last looked at.
    seen_accounts: u64,
}

/// What came in while waiting.
enum Got {
    Inputs(Vec<front::Input>),
    /// Nothing yet.
    Nothing,
    /// The keep time is over.
    Over,
}

impl Remote {
    fn take(&mut self, ev: Event, out: &mut Vec<front::Input>) {
        match ev {
            Event::Bytes(g, b) if g == self.link_no && self.terminal.is_some() => {
                self.last_input = Instant::now();
                if self.fault {
                    panic!("fault injected for {} ({FAULT_ENV})", self.login);
                }
                out.extend(self.input.feed(&b).into_iter().map(read));
                if self.input.take_cut() {
                    out.push(front::Input::Note(k::PASTE_CUT));
                }
            }
            Event::Resize(g, w, h) if g == self.link_no => {
                out.push(front::Input::Event(CEvent::Resize(w, h)))
            }
            Event::Gone(g) if g == self.link_no => self.detach("connection gone"),
            Event::Attach(link) => self.attach(*link, out),
            // Late input of a connection that is no longer this session's.
            _ => {}
        }
    }

    /// The connection went: the session is kept without a screen.
    fn detach(&mut self, why: &str) {
        // What the old screen still writes (as it is dropped) goes nowhere.
        self.alive.store(false, Ordering::SeqCst);
        if self.terminal.take().is_some() {
            self.detached = Some(Instant::now());
            self.desk.set_detached(self.detached);
            *self.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
            log(format!("session {} kept ({why}) for {} s", self.who, self.shared.desks.keep.as_secs()));
        }
    }

    /// A connection takes this session's screen: the one it had (if any) is
    /// told where the session went and closed.
    fn attach(&mut self, link: desk::Link, out: &mut Vec<front::Input>) {
        let size = link.size;
        let old_channel = self.current.lock().unwrap_or_else(|p| p.into_inner()).replace(link.out.closer());
        if let (Some(mut old), Some(channel)) = (self.terminal.take(), old_channel) {
            let _ = goodbye(&mut old, k::SSH_TAKEN_OVER);
            channel.close(0);
        }
        match screen_on(link.out, size) {
            Ok(t) => self.terminal = Some(t),
            Err(_) => return,
        }
        let away = self.detached.take().map(|t| t.elapsed().as_secs()).unwrap_or(0);
        log(format!("session {} now on {} (away {away} s)", self.who, link.who));
        self.link_no = link.link_no;
        self.alive = link.alive;
        self.who = link.who;
        self.input = Input::default();
        self.last_input = Instant::now();
        out.push(front::Input::Event(CEvent::Resize(size.0, size.1)));
        out.push(front::Input::Note(k::SSH_RESUMED));
    }

    /// Waits for input up to `timeout`, or (with no connection) for one to
    /// come back until the keep time is over.
    fn wait_for(&mut self, timeout: Duration) -> Got {
        let rx = Arc::clone(&self.rx);
        let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
        let mut inputs = Vec::new();
        if let Some(since) = self.detached {
            let left = self.shared.desks.keep.saturating_sub(since.elapsed());
            if left.is_zero() {
                // Decided under the desks' lock: a resume either reached
                // this session already or will find it gone.
                let shared = Arc::clone(&self.shared);
                let _list = shared.desks.lock();
                while let Ok(ev) = rx.try_recv() {
                    self.take(ev, &mut inputs);
                }
                return if self.terminal.is_some() { Got::Inputs(inputs) } else { Got::Over };
            }
            return match rx.recv_timeout(left.min(Duration::from_secs(1))) {
                Ok(ev) => {
                    self.take(ev, &mut inputs);
                    if inputs.is_empty() { Got::Nothing } else { Got::Inputs(inputs) }
                }
                Err(_) => Got::Nothing,
            };
        }
        match rx.recv_timeout(timeout) {
            Ok(ev) => {
                // Everything waiting is taken before the next frame.
                let mut next = Some(ev);
                while let Some(ev) = next {
                    self.take(ev, &mut inputs);
                    next = rx.try_recv().ok();
                }
                Got::Inputs(inputs)
            }
            Err(_) => {
                if !self.alive.load(Ordering::SeqCst) {
                    self.detach("connection gone");
                }
                Got::Nothing
            }
        }
    }
}

/// A key or a paste, as the event loop takes it.
fn read(e: In) -> front::Input {
    front::Input::Event(match e {
        In::Key(key) => CEvent::Key(key),
        In::Paste(text) => CEvent::Paste(text),
    })
}

impl Frontend for Remote {
    fn next(&mut self, timeout: Duration) -> io::Result<Next> {
        loop {
            let attached = self.terminal.is_some();
            match self.wait_for(timeout) {
                Got::Inputs(inputs) => return Ok(Next::Inputs(inputs)),
                Got::Over => return Ok(Next::Closed),
                // While kept, wait on for the officer's return.
                Got::Nothing if !attached || self.terminal.is_none() => continue,
                // A lone Esc (or a sequence cut off) is a key once the client pauses.
                Got::Nothing if self.input.pending() => {
                    return Ok(Next::Inputs(self.input.flush().into_iter().map(read).collect()));
                }
                Got::Nothing => return Ok(Next::Timeout),
            }
        }
    }

    fn draw(&mut self, app: &App) -> io::Result<()> {
        let Some(terminal) = &mut self.terminal else { return Ok(()) };
        if front::draw_frame(terminal, app).is_err() {
            // The client is gone: the session is kept for its return.
            self.detach("connection lost while drawing");
        }
        Ok(())
    }

    fn resize(&mut self, w: u16, h: u16) -> io::Result<()> {
        match &mut self.terminal {
            Some(t) => t.resize(Rect::new(0, 0, w, h)),
            None => Ok(()),
        }
    }

    fn wait(&self, app: &App) -> Duration {
        if self.input.pending() {
            input::ESC_WAIT
        } else {
            front::tick_after(app, Duration::from_millis(250))
        }
    }

    fn idle(
        &mut self,
        app: &mut App,
        store: &Arc<Store>,
        _changed: bool,
    ) -> io::Result<Option<&'static str>> {
        let Some(terminal) = &mut self.terminal else { return Ok(None) };
        // An administrator may have changed this account (disabled it, say).
        let accounts = store.generations().of(crate::store::trees::OFFICERS);
        if accounts != self.seen_accounts {
            self.seen_accounts = accounts;
            match crate::service::accounts::officer_by_login(store, &self.login) {
                Ok(Some(o)) if !o.disabled => app.set_access(o.access(), store),
                Ok(_) => {
                    goodbye(terminal, k::SSH_DISABLED)?;
                    return Ok(Some("account disabled"));
                }
                Err(_) => {}
            }
        }
        if self.last_input.elapsed() >= self.idle {
            let keep = self.shared.desks.keep;
            if app.has_unsaved() && !keep.is_zero() {
                // Logged out all the same, but what was typed is kept as a
                // dropped link's is, for the officer's next login.
                let minutes = keep.as_secs().div_ceil(60).to_string();
                let bye = crate::i18n::Msg::with(k::SSH_IDLE_KEPT, [minutes]);
                // Kept even if the goodbye cannot be written (the link is
                // going): what was typed is what is kept.
                let _ = goodbye_with(terminal, &bye);
                let channel = self.current.lock().unwrap_or_else(|p| p.into_inner()).take();
                self.detach("idle, with typing not saved");
                if let Some(channel) = channel {
                    channel.close(0);
                }
                return Ok(None);
            }
            goodbye(terminal, k::SSH_IDLE)?;
            return Ok(Some("idle"));
        }
        Ok(None)
    }
}

/// Leaves the screen with a last word, in Thai and English.
fn goodbye(terminal: &mut Terminal<CrosstermBackend<Out>>, why: crate::i18n::Key) -> io::Result<()> {
    goodbye_with(terminal, &crate::i18n::Msg::new(why))
}

fn goodbye_with(terminal: &mut Terminal<CrosstermBackend<Out>>, why: &crate::i18n::Msg) -> io::Result<()> {
    let line = |lang| why.render(lang).replace('\n', "\r\n");
    let bye = format!("\x1b[?25h\x1b[?1049l\r\n{}\r\n{}\r\n", line(Lang::Th), line(Lang::En));
    terminal.backend_mut().write_all(bye.as_bytes())?;
    terminal.backend_mut().flush()
}

/// Accepts connections for ever: each goes through the gate, runs its SSH
/// session, and is closed if it has not logged in by the deadline. An error
/// from `accept` (too many open files, a connection aborted on the way) is
/// said once a second at most and waited out, never the end of the server.
async fn accept_loop(
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    socket: tokio::net::TcpListener,
    door: Arc<gate::Gate>,
    login: Duration,
) {
    let mut backoff = Duration::from_millis(5);
    let mut last_error: Option<(io::ErrorKind, Instant)> = None;
    loop {
        let (stream, peer) = match socket.accept().await {
            Ok(c) => {
                backoff = Duration::from_millis(5);
                c
            }
            Err(e) => {
                let fresh =
                    last_error.is_none_or(|(k, t)| k != e.kind() || t.elapsed() > Duration::from_secs(1));
                if fresh {
                    let why = crate::service::messages::io(&e).render(Lang::En);
                    log(format!("accepting a connection failed ({why}); waiting {} ms", backoff.as_millis()));
                    last_error = Some((e.kind(), Instant::now()));
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let ticket = door.admit(peer.ip());
        if let Some(line) = door.report() {
            log(line);
        }
        let handler = Connection::new(Arc::clone(&shared), peer, Arc::clone(&ticket));
        let (config, door2, ticket2) = (Arc::clone(&config), Arc::clone(&door), Arc::clone(&ticket));
        let task = tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let _leave = Leave(Arc::clone(&door2), Arc::clone(&ticket2));
            // The gate can cut the socket whatever the session waits for.
            let stream = gate::Severed::new(stream, Arc::clone(&ticket2));
            // The client's first words and the key exchange count against
            // the login deadline too.
            let started =
                tokio::time::timeout(login, russh::server::run_stream(config, stream, handler)).await;
            let session = match started {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    log(format!("connection from {peer} ended before the session began: {e}"));
                    return;
                }
                Err(_) => return,
            };
            door2.set_handle(&ticket2, session.handle());
            let handle = session.handle();
            let deadline = async {
                tokio::time::sleep(login).await;
                if !ticket2.shut() {
                    // Logged in in time.
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                r = session => {
                    if let Err(e) = r {
                        log(format!("connection from {peer} ended with an error: {e}"));
                    }
                }
                () = deadline => {
                    // Said if the session reads it (not while it waits for
                    // the client's key exchange), then cut either way.
                    let _ = handle
                        .disconnect(russh::Disconnect::ByApplication, "login took too long".into(), String::new())
                        .await;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    ticket2.cut();
                }
            }
        });
        door.set_close(&ticket, task.abort_handle());
    }
}

/// Takes the connection off the gate's list however its task ends.
struct Leave(Arc<gate::Gate>, Arc<gate::Ticket>);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.leave(&self.1);
    }
}

/// An officer's own folder beside the store: `files/LOGIN/` (0700), with
/// `outbox/` for what they export. Logins are letters, digits and `._-`,
/// starting with a letter, so the name is one plain folder.
pub fn officer_dir(store: &Path, login: &str) -> PathBuf {
    crate::store::files::officer_dir(store, login)
}

/// Runs the server until Ctrl-C or SIGTERM, then flushes the store.
pub fn serve(store: Arc<Store>, opts: Options) -> anyhow::Result<()> {
    let key = host_key(&opts.host_key)?;
    let fingerprint = key.fingerprint(russh::keys::HashAlg::Sha256);
    for n in store.notices() {
        log(crate::service::messages::notice(&n).render(crate::domain::Lang::En));
    }
    for path in [store.path(), opts.backups.as_path()] {
        if let Some(open) = crate::store::files::readable_by_others(path).first() {
            let warning = crate::i18n::Msg::with(
                k::WARN_PRIVATE,
                [open.display().to_string(), path.display().to_string()],
            );
            log(warning.render(crate::domain::Lang::En));
        }
    }
    match sftp::clear_leftovers(&crate::store::files::files_dir(store.path())) {
        0 => {}
        n => log(format!("removed {n} unfinished uploads a stopped server left")),
    }
    log(format!("loading the occupation catalog of {}", store.path().display()));
    let mut shared = Shared::new(Arc::clone(&store), opts.max_sessions, opts.idle)?;
    shared.uploads = opts.uploads;
    shared.desks = desk::Desks::new(opts.keep);
    let shared = Arc::new(shared);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let serving = store.path().join(SERVING_FILE);
    let result = rt.block_on(async {
        let socket = tokio::net::TcpListener::bind(opts.listen).await?;
        let addr = socket.local_addr()?;
        std::fs::write(&serving, format!("listen={addr}\npid={}\n", std::process::id()))?;
        log(format!("serving {} on {addr} (host key {fingerprint})", store.path().display()));
        // Tests read this line to learn the port when listening on port 0.
        let _ = writeln!(io::stdout(), "listening on {addr}").and_then(|()| io::stdout().flush());
        let control = crate::service::control::serve(&store, Arc::new(log))
            .inspect_err(|e| log(format!("no control socket: {e}")))
            .ok();
        let daily = tokio::spawn(control::daily(
            Arc::clone(&store),
            opts.backups.clone(),
            opts.keep_backups,
            opts.backup_every,
        ));
        let limits = gate::Limits::for_open_files(gate::open_file_limit().unwrap_or(1024));
        log(format!(
            "at most {} connections wait to log in ({} from one address), {} s each",
            limits.total,
            limits.per_address,
            opts.login.as_secs()
        ));
        let door = Arc::new(gate::Gate::new(limits));
        let running =
            accept_loop(shared, Arc::new(config(key, opts.idle)), socket, Arc::clone(&door), opts.login);
        let stop = stop_asked()?;
        tokio::select! {
            () = running => {}
            _ = tokio::signal::ctrl_c() => log("Ctrl-C: stopping"),
            why = stop => log(format!("{why}: stopping")),
        }
        for h in door.handles() {
            let _ =
                h.disconnect(russh::Disconnect::ByApplication, "server stopping".into(), String::new()).await;
        }
        drop(control);
        daily.abort();
        anyhow::Ok(())
    });
    let _ = std::fs::remove_file(&serving);
    let _ = std::fs::remove_file(store.path().join(control::SOCKET));
    let flushed = store.sync();
    rt.shutdown_timeout(Duration::from_secs(2));
    match flushed {
        Ok(()) => log("store flushed; stopped"),
        Err(e) => log(format!("flushing the store failed: {e}")),
    }
    result
}

/// Resolves when the system asks the server to stop: SIGTERM (systemd's
/// stop) on Unix; closing the console or shutting down on Windows.
#[cfg(unix)]
fn stop_asked() -> io::Result<impl std::future::Future<Output = &'static str>> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        term.recv().await;
        "SIGTERM"
    })
}

#[cfg(windows)]
fn stop_asked() -> io::Result<impl std::future::Future<Output = &'static str>> {
    let mut close = tokio::signal::windows::ctrl_close()?;
    let mut shutdown = tokio::signal::windows::ctrl_shutdown()?;
    Ok(async move {
        tokio::select! {
            _ = close.recv() => "console closed",
            _ = shutdown.recv() => "shutdown",
        }
    })
}

/// The `ssh` command for a store that a running server holds, from the file it
/// left in the store's directory.
pub fn ssh_command(store_path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(store_path.join(SERVING_FILE)).ok()?;
    let addr: SocketAddr = text.lines().find_map(|l| l.strip_prefix("listen="))?.trim().parse().ok()?;
    let host = if addr.ip().is_unspecified() {
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())?
    } else {
        addr.ip().to_string()
    };
    let user = std::env::var("USER").unwrap_or_else(|_| "LOGIN".into());
    Some(format!("ssh -p {} {user}@{host}", addr.port()))
}
