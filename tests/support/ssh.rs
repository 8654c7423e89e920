//! `sammachip serve` as a child process, and officers reaching it with an
//! in-process russh client whose output is read by a terminal emulator
//! (vt100): what a PuTTY window would show, without tmux or OpenSSH.
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use russh::{
    Channel, ChannelMsg,
    client::{self, Handle, Msg},
    keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

pub fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// An OpenSSH key pair made without `ssh-keygen`: the private key for the
/// client, the public line (with `comment`) for `user add`.
pub fn key_pair(dir: &Path, name: &str, comment: &str) -> (Arc<PrivateKey>, PathBuf) {
    let seed: [u8; 32] = rand::random();
    let mut key = PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed));
    key.set_comment(comment);
    let public = dir.join(format!("{name}.pub"));
    let line = key.public_key().to_openssh().unwrap();
    std::fs::write(&public, format!("{line}\n")).unwrap();
    (Arc::new(key), public)
}

pub struct Server {
    pub dir: PathBuf,
    pub child: Child,
    pub addr: String,
    pub host_key: PublicKey,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    /// Serves the store at `db` (whose accounts are already made), with
    /// `ulimit -n` set when given.
    pub fn start(dir: &Path, db: &Path, open_files: Option<u32>, args: &[&str]) -> Server {
        Self::start_with_env(dir, db, open_files, args, &[])
    }

    /// The same, with more environment for the server.
    pub fn start_with_env(
        dir: &Path,
        db: &Path,
        open_files: Option<u32>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let host_key = dir.join("host_key");
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut serve = format!(
            "exec '{BIN}' --db '{}' serve --listen 127.0.0.1:0 --host-key '{}'",
            db.display(),
            host_key.display()
        );
        for a in args {
            serve.push_str(&format!(" '{a}'"));
        }
        if let Some(n) = open_files {
            serve = format!("ulimit -n {n} && {serve}");
        }
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(serve)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(addr) = line.trim().strip_prefix("listening on ").map(str::to_string) else {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            let _ = child.kill();
            panic!("the server said {line:?}; its log:\n{log}");
        };
        let host_key = PrivateKey::read_openssh_file(&host_key).unwrap().public_key().clone();
        Server { dir: dir.to_path_buf(), child, addr, host_key, _stdout: stdout }
    }

    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap()
    }

    /// Waits until the server answers a connection with its SSH banner: its
    /// accept loop runs, and so its SIGTERM handler is in place (it says
    /// "listening on" a moment before that).
    pub fn wait_accepting(&self) {
        use std::io::Read;
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut banner = [0u8; 4];
        s.read_exact(&mut banner).unwrap();
        assert_eq!(&banner, b"SSH-");
    }

    /// Sends the server SIGTERM.
    pub fn terminate(&self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
    }

    pub fn log(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The server's resident memory (kB) and CPU time (ticks), from /proc.
    pub fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let after = stat.rsplit_once(") ").map_or("", |(_, r)| r);
        let f: Vec<&str> = after.split_whitespace().collect();
        let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        n(11) + n(12)
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        self.terminate();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Accepts the server's own host key and no other.
pub struct Client {
    pub host_key: PublicKey,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.key_data() == self.host_key.key_data(),
            PublicKeyOrCertificate::Certificate(_) => false,
        })
    }
}

/// An officer's window: a logged-in session on an 80×24 pty, and what it
/// shows.
pub struct Term {
    pub handle: Handle<Client>,
    pub channel: Channel<Msg>,
    pub screen: vt100::Parser,
    /// Every byte the server sent, for checks of what reached the terminal.
    pub raw: Vec<u8>,
}

pub async fn connect(server: &Server, login: &str, key: &Arc<PrivateKey>) -> Result<Handle<Client>, String> {
    let config = client::Config { inactivity_timeout: None, nodelay: true, ..Default::default() };
    let client = Client { host_key: server.host_key.clone() };
    let mut handle = client::connect(Arc::new(config), server.addr.as_str(), client)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let auth = handle
        .authenticate_publickey(login, PrivateKeyWithHashAlg::new(Arc::clone(key), None))
        .await
        .map_err(|e| format!("login: {e}"))?;
    if !auth.success() {
        return Err(format!("login of {login} refused"));
    }
    Ok(handle)
}

/// Logs in and opens a shell on an 80×24 xterm, as an officer's terminal does.
async fn open_shell(
    server: &Server,
    login: &str,
    key: &Arc<PrivateKey>,
) -> Result<(Handle<Client>, Channel<Msg>), String> {
    let handle = connect(server, login, key).await?;
    let channel = handle.channel_open_session().await.map_err(|e| format!("channel: {e}"))?;
    channel.request_pty(false, "xterm-256color", 80, 24, 0, 0, &[]).await.map_err(|e| format!("pty: {e}"))?;
    channel.request_shell(false).await.map_err(|e| format!("shell: {e}"))?;
    Ok((handle, channel))
}

impl Term {
    pub async fn open(server: &Server, login: &str, key: &Arc<PrivateKey>) -> Result<Term, String> {
        let (handle, channel) = open_shell(server, login, key).await?;
        Ok(Term {
            handle,
            channel,
            screen: vt100::Parser::new(
                std::num::NonZeroU16::MIN.saturating_add(23),
                std::num::NonZeroU16::MIN.saturating_add(79),
                0,
            ),
            raw: Vec::new(),
        })
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.channel.data(bytes).await.expect("the server takes input");
    }

    pub fn text(&self) -> String {
        self.screen.screen().contents()
    }

    /// Reads what the server sends until the screen shows `needle`.
    pub async fn wait_for(&mut self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.text();
            if s.contains(needle) {
                return s;
            }
            let left = Duration::from_secs(30).saturating_sub(start.elapsed());
            assert!(!left.is_zero(), "waited for {needle:?}; the screen:\n{s}");
            self.read(left.min(Duration::from_millis(200))).await;
        }
    }

    /// Takes in what arrives within `wait`; returns how many bytes came.
    pub async fn read(&mut self, wait: Duration) -> usize {
        match tokio::time::timeout(wait, self.channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => {
                self.screen.process(&data);
                self.raw.extend_from_slice(&data);
                data.len()
            }
            _ => 0,
        }
    }

    /// Reads until nothing comes for `quiet`.
    pub async fn settle(&mut self, quiet: Duration) {
        while self.read(quiet).await > 0 {}
    }
}

/// A tokio runtime for the tests of one binary, shared by the windows below.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
    })
}

/// Whether the server refuses `login` with `key` after the handshake (the
/// key is not that officer's, or the account is unknown or disabled).
pub fn login_refused(server: &Server, login: &str, key: &Arc<PrivateKey>) -> bool {
    match runtime().block_on(connect(server, login, key)) {
        Ok(_) => false,
        Err(e) if e.starts_with("login of") => true,
        Err(e) => panic!("{login}: not a refusal: {e}"),
    }
}

/// An officer's window over SSH as a [`super::window::Window`]: a session on
/// an 80×24 pty (xterm-256color) whose output a task on [`runtime`] feeds to
/// a terminal emulator.
pub struct SshWindow {
    _handle: Handle<Client>,
    write: russh::ChannelWriteHalf<Msg>,
    screen: Arc<std::sync::Mutex<vt100::Parser>>,
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl SshWindow {
    pub fn open(server: &Server, login: &str, key: &Arc<PrivateKey>) -> Result<SshWindow, String> {
        runtime().block_on(async {
            let (handle, channel) = open_shell(server, login, key).await?;
            let (mut read, write) = channel.split();
            let screen = Arc::new(std::sync::Mutex::new(super::window::vt_parser(80, 24)));
            let closed = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (s, c) = (Arc::clone(&screen), Arc::clone(&closed));
            tokio::spawn(async move {
                loop {
                    match read.wait().await {
                        Some(ChannelMsg::Data { data }) => s.lock().unwrap().process(&data),
                        Some(ChannelMsg::Close) | None => break,
                        Some(_) => {}
                    }
                }
                c.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            Ok(SshWindow { _handle: handle, write, screen, closed })
        })
    }

    fn send(&mut self, bytes: &[u8]) {
        runtime().block_on(self.write.data(bytes)).expect("the server takes input");
    }

    /// The link drops: the connection ends without the officer quitting
    /// (as when the PuTTY window is closed).
    pub fn cut(&mut self) {
        let _ = runtime().block_on(self._handle.disconnect(russh::Disconnect::ByApplication, "", ""));
    }
}

impl super::window::Window for SshWindow {
    fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            self.send(&super::window::key_bytes(k));
            if *k == "Escape" {
                std::thread::sleep(super::window::AFTER_ESCAPE);
            }
        }
    }

    fn text(&mut self, s: &str) {
        self.send(s.as_bytes());
    }

    fn paste(&mut self, s: &str) {
        let bracketed = self.screen.lock().unwrap().screen().bracketed_paste();
        self.send(&super::window::paste_bytes(bracketed, s));
    }

    fn screen(&mut self) -> String {
        super::window::vt_text(&self.screen.lock().unwrap())
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        super::window::vt_resize(&mut self.screen.lock().unwrap(), cols, rows);
        runtime()
            .block_on(self.write.window_change(cols.into(), rows.into(), 0, 0))
            .expect("the server takes a new size");
    }

    fn ended(&mut self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }
}
