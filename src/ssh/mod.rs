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
pub mod gate;
pub mod input;
pub mod log;

use std::{
    io::{self, Write},
    net::SocketAddr,
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    sync::{
        Arc, RwLock,
        atomic::{AtomicUsize, Ordering},
        mpsc::{self, RecvTimeoutError, SyncSender, TrySendError},
    },
    time::{Duration, Instant},
};

use crossterm::{cursor, event::Event as CEvent, terminal};
use ratatui::{Terminal, TerminalOptions, Viewport, backend::CrosstermBackend, layout::Rect};
use russh::{
    Channel, ChannelId, MethodKind, MethodSet, Pty,
    keys::{PrivateKey, ssh_key::LineEnding},
    server::{Auth, ChannelOpenHandle, Handle, Handler, Msg, PublicKeyOffer, Session, VerifiedPublicKey},
};

use crate::{
    app::App,
    domain::{Date, Lang, officer::Officer},
    front::{self, End, Frontend, Next},
    i18n::{k, tr},
    service::catalog::Catalog,
    store::Store,
};

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
    use std::os::unix::fs::PermissionsExt;
    if path.exists() {
        let meta = std::fs::metadata(path)?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
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
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    log(format!("new host key {} ({})", path.display(), key.fingerprint(russh::keys::HashAlg::Sha256)));
    Ok(key)
}

/// What every connection shares.
pub struct Shared {
    pub store: Arc<Store>,
    pub catalog: Arc<RwLock<Catalog>>,
    pub sessions: AtomicUsize,
    pub max_sessions: usize,
    pub idle: Duration,
    fault_login: Option<String>,
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
        crate::app::release_free_memory();
        Ok(Shared {
            store,
            catalog: Arc::new(RwLock::new(catalog)),
            sessions: AtomicUsize::new(0),
            max_sessions,
            idle,
            fault_login: std::env::var(FAULT_ENV).ok().filter(|s| !s.is_empty()),
        })
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
            size: (80, 24),
            term: String::new(),
            lang: Lang::Th,
            no_color: false,
            tx: None,
            dropping: false,
        }
    }
}

/// Sent from a connection to its session's thread.
pub enum Event {
    Bytes(Vec<u8>),
    Resize(u16, u16),
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
    size: (u16, u16),
    term: String,
    lang: Lang,
    no_color: bool,
    tx: Option<SyncSender<Event>>,
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
            Some(o) => {
                self.officer = Some(o);
                self.ticket.logged_in();
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
        let Some(officer) = self.officer.clone() else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        session.channel_success(channel)?;
        let handle = session.handle();
        let n = self.shared.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        if n > self.shared.max_sessions {
            self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
            log(format!("refused {}: {} sessions already", self.who(), self.shared.max_sessions));
            let text = format!(
                "{}\r\n{}\r\n",
                tr(Lang::Th, k::SSH_FULL).replace("{}", &self.shared.max_sessions.to_string()),
                tr(Lang::En, k::SSH_FULL).replace("{}", &self.shared.max_sessions.to_string())
            );
            session.data(channel, text.into_bytes())?;
            session.exit_status_request(channel, 1)?;
            session.close(channel)?;
            return Ok(());
        }
        let (tx, rx) = mpsc::sync_channel(INPUT_QUEUE);
        self.tx = Some(tx);
        let setup = SessionSetup {
            shared: Arc::clone(&self.shared),
            officer,
            who: self.who(),
            handle,
            channel,
            rt: tokio::runtime::Handle::current(),
            size: self.size,
            lang: self.lang,
            no_color: self.no_color || matches!(self.term.as_str(), "dumb" | "vt100" | "vt102"),
        };
        log(format!(
            "session {} ({}×{}, TERM={}, {} now)",
            setup.who, self.size.0, self.size.1, self.term, n
        ));
        std::thread::Builder::new()
            .name(format!("session {}", setup.who))
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

    /// No subsystem is served (a client asking for `sftp` is told so at once
    /// instead of waiting for an answer that never comes).
    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        log(format!("{}: subsystem {name} refused", self.who()));
        session.channel_failure(channel)?;
        session.close(channel)?;
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
        if let Some(tx) = &self.tx {
            match tx.try_send(Event::Bytes(data.to_vec())) {
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
        if let Some(tx) = &self.tx {
            let _ = tx.try_send(Event::Resize(self.size.0, self.size.1));
        }
        Ok(())
    }

    async fn channel_eof(&mut self, _channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        self.tx = None;
        Ok(())
    }

    async fn channel_close(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.tx = None;
        Ok(())
    }
}

struct SessionSetup {
    shared: Arc<Shared>,
    officer: Officer,
    who: String,
    handle: Handle,
    channel: ChannelId,
    rt: tokio::runtime::Handle,
    size: (u16, u16),
    lang: Lang,
    no_color: bool,
}

/// The session's end of the SSH channel: bytes of a frame are gathered and
/// sent as one message when ratatui flushes.
struct Out {
    handle: Handle,
    channel: ChannelId,
    rt: tokio::runtime::Handle,
    buf: Vec<u8>,
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// ratatui flushes inside `draw`, before the end of the synchronized
    /// update is queued: a frame that has begun is held until it ends, so it
    /// goes out as one message.
    fn flush(&mut self) -> io::Result<()> {
        const BEGIN: &[u8] = b"\x1b[?2026h";
        const END: &[u8] = b"\x1b[?2026l";
        let mid_frame = !self.buf.ends_with(END) && self.buf.windows(BEGIN.len()).any(|w| w == BEGIN);
        if mid_frame && self.buf.len() < 1 << 20 { Ok(()) } else { self.send() }
    }
}

impl Out {
    /// Sends what is gathered as one SSH data message.
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.buf);
        // Waits while the client is behind: backpressure, not a growing buffer.
        self.rt
            .block_on(self.handle.data(self.channel, bytes))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client gone"))
    }

    fn close(&self, status: u32) {
        let (h, c) = (&self.handle, self.channel);
        self.rt.block_on(async {
            let _ = h.exit_status_request(c, status).await;
            let _ = h.eof(c).await;
            let _ = h.close(c).await;
        });
    }
}

/// Counts the session out however it ends.
struct Counted(Arc<Shared>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::SeqCst);
    }
}

fn run_session(s: SessionSetup, rx: mpsc::Receiver<Event>) {
    let _counted = Counted(Arc::clone(&s.shared));
    let who = s.who.clone();
    let (handle, channel, rt) = (s.handle.clone(), s.channel, s.rt.clone());
    let started = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| session_loop(s, rx)));
    let out = Out { handle, channel, rt, buf: Vec::new() };
    match result {
        Ok(Ok(reason)) => {
            log(format!("session {who} ended ({reason}) after {} s", started.elapsed().as_secs()));
            out.close(0);
        }
        Ok(Err(e)) => {
            log(format!("session {who} ended: {e}"));
            out.close(1);
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            log(format!("session {who} ended on an internal error: {what}"));
            let mut out = out;
            let text = format!(
                "\x1b[?25h\x1b[?1049l\r\n{}\r\n{}\r\n",
                tr(Lang::Th, k::SSH_CRASHED),
                tr(Lang::En, k::SSH_CRASHED)
            );
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.send());
            out.close(1);
        }
    }
}

/// Runs one officer's app until they quit, leave, idle out or the client goes.
fn session_loop(s: SessionSetup, rx: mpsc::Receiver<Event>) -> io::Result<&'static str> {
    let store = Arc::clone(&s.shared.store);
    let out = Out { handle: s.handle, channel: s.channel, rt: s.rt, buf: Vec::with_capacity(16 * 1024) };
    let (w, h) = s.size;
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(out),
        TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) },
    )?;
    crossterm::queue!(
        terminal.backend_mut(),
        terminal::EnterAlternateScreen,
        cursor::Hide,
        terminal::Clear(terminal::ClearType::All)
    )?;
    let mut app =
        App::with_catalog(&store, s.officer.login.clone(), s.lang, (w, h), Arc::clone(&s.shared.catalog));
    app.set_access(s.officer.access(), &store);
    app.no_color = s.no_color;
    // Every export of this session goes into the officer's own folder.
    app.export_dir = Some(officer_dir(store.path(), &s.officer.login).join("outbox"));
    // And every import reads from their inbox.
    app.inbox_dir = Some(officer_dir(store.path(), &s.officer.login).join("inbox"));
    let mut front = Remote {
        terminal,
        rx,
        input: Input::default(),
        last_input: Instant::now(),
        idle: s.shared.idle,
        login: s.officer.login.clone(),
        fault: s.shared.fault_login.as_deref() == Some(s.officer.login.as_str()),
        seen_accounts: store.generations().of(crate::store::trees::OFFICERS),
    };
    let reason = match front::run(&mut front, &mut app, &store, None)? {
        End::Left(why) => return Ok(why),
        End::Quit | End::FirstFrame(_) => "quit",
    };
    let terminal = &mut front.terminal;
    crossterm::queue!(terminal.backend_mut(), cursor::Show, terminal::LeaveAlternateScreen)?;
    terminal.backend_mut().flush()?;
    Ok(reason)
}

/// One officer's SSH channel, for the event loop: bytes in (read as keys
/// and pastes), frames out.
struct Remote {
    terminal: Terminal<CrosstermBackend<Out>>,
    rx: mpsc::Receiver<Event>,
    input: Input,
    last_input: Instant,
    idle: Duration,
    login: String,
    /// Panic on the next input (tests of a failing session).
    fault: bool,
    /// How often the officer accounts had changed when last looked at.
    seen_accounts: u64,
}

impl Remote {
    fn take(&mut self, ev: Event, out: &mut Vec<front::Input>) {
        match ev {
            Event::Bytes(b) => {
                self.last_input = Instant::now();
                if self.fault {
                    panic!("fault injected for {} ({FAULT_ENV})", self.login);
                }
                out.extend(self.input.feed(&b).into_iter().map(read));
                if self.input.take_cut() {
                    out.push(front::Input::Note(k::PASTE_CUT));
                }
            }
            Event::Resize(w, h) => out.push(front::Input::Event(CEvent::Resize(w, h))),
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
        match self.rx.recv_timeout(timeout) {
            Ok(ev) => {
                // Everything waiting is taken before the next frame.
                let mut inputs = Vec::new();
                let mut next = Some(ev);
                while let Some(ev) = next {
                    self.take(ev, &mut inputs);
                    next = self.rx.try_recv().ok();
                }
                Ok(Next::Inputs(inputs))
            }
            // A lone Esc (or a sequence cut off) is a key once the client pauses.
            Err(RecvTimeoutError::Timeout) if self.input.pending() => {
                Ok(Next::Inputs(self.input.flush().into_iter().map(read).collect()))
            }
            Err(RecvTimeoutError::Timeout) => Ok(Next::Timeout),
            Err(RecvTimeoutError::Disconnected) => Ok(Next::Closed),
        }
    }

    fn draw(&mut self, app: &App) -> io::Result<()> {
        front::draw_frame(&mut self.terminal, app)
    }

    fn resize(&mut self, w: u16, h: u16) -> io::Result<()> {
        self.terminal.resize(Rect::new(0, 0, w, h))
    }

    fn wait(&self, app: &App) -> Duration {
        if self.input.pending() {
            input::ESC_WAIT
        } else if app.job.is_some() {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(250)
        }
    }

    fn idle(
        &mut self,
        app: &mut App,
        store: &Arc<Store>,
        _changed: bool,
    ) -> io::Result<Option<&'static str>> {
        // An administrator may have changed this account (disabled it, say).
        let accounts = store.generations().of(crate::store::trees::OFFICERS);
        if accounts != self.seen_accounts {
            self.seen_accounts = accounts;
            match crate::service::accounts::officer_by_login(store, &self.login) {
                Ok(Some(o)) if !o.disabled => app.set_access(o.access(), store),
                Ok(_) => {
                    goodbye(&mut self.terminal, k::SSH_DISABLED)?;
                    return Ok(Some("account disabled"));
                }
                Err(_) => {}
            }
        }
        if self.last_input.elapsed() >= self.idle {
            goodbye(&mut self.terminal, k::SSH_IDLE)?;
            return Ok(Some("idle"));
        }
        Ok(None)
    }
}

/// Leaves the screen with a last word, in Thai and English.
fn goodbye(terminal: &mut Terminal<CrosstermBackend<Out>>, why: crate::i18n::Key) -> io::Result<()> {
    let bye = format!("\x1b[?25h\x1b[?1049l\r\n{}\r\n{}\r\n", tr(Lang::Th, why), tr(Lang::En, why));
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
            // The client's first words and the key exchange count against
            // the login deadline too.
            let started = tokio::time::timeout(
                gate::LOGIN_DEADLINE,
                russh::server::run_stream(config, stream, handler),
            )
            .await;
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
                tokio::time::sleep(gate::LOGIN_DEADLINE).await;
                if ticket2.is_logged_in() {
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
                    let _ = handle
                        .disconnect(russh::Disconnect::ByApplication, "login took too long".into(), String::new())
                        .await;
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
    log(format!("loading the occupation catalog of {}", store.path().display()));
    let shared = Arc::new(Shared::new(Arc::clone(&store), opts.max_sessions, opts.idle)?);
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
            gate::LOGIN_DEADLINE.as_secs()
        ));
        let door = Arc::new(gate::Gate::new(limits));
        let running = accept_loop(shared, Arc::new(config(key, opts.idle)), socket, Arc::clone(&door));
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            () = running => {}
            _ = tokio::signal::ctrl_c() => log("Ctrl-C: stopping"),
            _ = term.recv() => log("SIGTERM: stopping"),
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
