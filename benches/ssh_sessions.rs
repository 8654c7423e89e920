//! `sammachip serve` under load (issue 7): many concurrent SSH sessions, each
//! driven by a russh client, moving through the Funds list one row at a time.
//!
//! The store is the province demo (`SAMMACHIP_BENCH_SCALE=district` for the
//! small one). One officer account with one key logs in once per session. The
//! server is the real binary, a child process; its memory is read from
//! `/proc/PID/status`. The client counts the bytes it reads from the socket, so
//! what the server sends is known on the wire (SSH packets, padding and MAC) as
//! well as as channel data.
//!
//! First a criterion benchmark: one session alone, the round trip of a one-row
//! move (keystroke sent to frame received). Then, after criterion, the load
//! run: `SAMMACHIP_BENCH_SESSIONS` sessions (50) together, each making
//! `SAMMACHIP_BENCH_MOVES` (200) Down moves after a warm-up, with a random
//! 20–50 ms think time between a frame and the next key. Keystroke-to-frame is
//! measured by the client: from sending `ESC [ B` to receiving the data that
//! ends the synchronized update (`ESC [ ? 2026 l`). The client runs on the same
//! machine as the server and shares its cores.
//!
//! `SAMMACHIP_BENCH_LOGIN_EVERY_MS` spreads the logins (20 ms by default;
//! 0: all at once):
//! the server lets at most 16 connections from one address wait to log in
//! at once (see `ssh::gate`), so 200 opened in the same instant from here
//! push each other out, as a flood would.
//!
//! `SAMMACHIP_BENCH_STORE=DIR` runs against a store written before (the
//! nation's: `sammachip --db DIR demo --scale nation`), in place: the run adds
//! a key to its `bench` account and changes nothing else.
//!
//! `cargo test --benches` runs a small smoke version (district, 4 sessions).

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    pin::Pin,
    process::{Child, ChildStdout, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use criterion::Criterion;
use russh::{
    Channel, ChannelMsg, Disconnect,
    client::{self, Handle, Msg},
    keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    runtime::Runtime,
    sync::Barrier,
};

const BIN: &str = env!("CARGO_BIN_EXE_sammachip");
const LOGIN: &str = "bench";
const DOWN: &[u8] = b"\x1b[B";
const UP: &[u8] = b"\x1b[A";
/// The end of every frame the server sends (end of synchronized update).
const FRAME_END: &[u8] = b"\x1b[?2026l";
/// How the server's question to a second login of the same officer begins
/// (a plain screen, not a frame; see `ssh::choose`).
const SECOND_LOGIN: &[u8] = b"\x1b[?1049h\x1b[2J\x1b[H";
const ASKED: &str = "asked: take over or a new session";
/// A key with no frame after this long made no change (the end of the list).
const NO_FRAME: Duration = Duration::from_secs(3);

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} could not start: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v} is not understood")),
        Err(_) => default,
    }
}

/// What the run is asked for.
struct Plan {
    scale: String,
    sessions: usize,
    moves: usize,
    warmup: usize,
    /// Time between one session's login and the next's (0: all at once).
    login_every: Duration,
    /// `cargo bench` rather than `cargo test --benches`.
    full: bool,
}

impl Plan {
    fn from_env() -> Plan {
        let args: Vec<String> = std::env::args().collect();
        let full = args.iter().any(|a| a == "--bench");
        let scale: String = if std::env::var_os("SAMMACHIP_BENCH_STORE").is_some() {
            "store".into()
        } else {
            env_or("SAMMACHIP_BENCH_SCALE", if full { "province" } else { "district" }.into())
        };
        assert!(
            ["province", "district", "store"].contains(&scale.as_str()),
            "SAMMACHIP_BENCH_SCALE must be province or district, not {scale}"
        );
        Plan {
            scale,
            sessions: env_or("SAMMACHIP_BENCH_SESSIONS", if full { 50 } else { 4 }),
            moves: env_or("SAMMACHIP_BENCH_MOVES", if full { 200 } else { 5 }),
            warmup: if full { 20 } else { 2 },
            login_every: Duration::from_millis(env_or(
                "SAMMACHIP_BENCH_LOGIN_EVERY_MS",
                if full { 20 } else { 0 },
            )),
            full,
        }
    }
}

/// Memory of a process, from `/proc/PID/status`, in kB.
#[derive(Clone, Copy)]
struct Mem {
    rss: u64,
    hwm: u64,
}

impl Mem {
    fn of(pid: u32) -> Mem {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_else(|e| panic!("/proc/{pid}/status unreadable: {e}"));
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
        };
        Mem { rss: field("VmRSS:"), hwm: field("VmHWM:") }
    }

    fn text(self) -> String {
        format!("VmRSS {:.1} MB, VmHWM {:.1} MB", self.rss as f64 / 1024.0, self.hwm as f64 / 1024.0)
    }
}

/// CPU time (user + system) of a process, from `/proc/PID/stat`.
fn cpu(pid: &str) -> Duration {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/stat unreadable: {e}"));
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = text.rsplit_once(')').map(|(_, r)| r).expect("/proc/PID/stat has a command name");
    let f: Vec<u64> = rest.split_whitespace().map(|v| v.parse().unwrap_or(0)).collect();
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 1000 / clock_ticks())
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .filter(|t| *t > 0)
        .unwrap_or(100)
}

/// The store, the officer's key and the running server.
struct Server {
    dir: tempfile::TempDir,
    child: Child,
    _stdout: BufReader<ChildStdout>,
    addr: String,
    host_key: PublicKey,
    key: Arc<PrivateKey>,
}

impl Server {
    fn start(scale: &str) -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory for the store");
        let db = match std::env::var_os("SAMMACHIP_BENCH_STORE") {
            Some(given) => PathBuf::from(given),
            None => {
                let db = dir.path().join("store");
                let t = Instant::now();
                run(Command::new(BIN).arg("--db").arg(&db).args(["demo", "--scale", scale]));
                eprintln!("ssh_sessions: {scale} demo store written in {:.1} s", t.elapsed().as_secs_f64());
                db
            }
        };

        let key_path = dir.path().join("officer");
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", LOGIN, "-f"])
            .arg(&key_path));
        run(Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["user", "add", LOGIN, "--role", "province", "--key"])
            .arg(key_path.with_extension("pub")));
        let key =
            russh::keys::load_secret_key(&key_path, None).expect("the officer's key (ssh-keygen) loads");

        let host_key_path = dir.path().join("host_key");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("the server's log file");
        let t = Instant::now();
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0", "--max-sessions", "400", "--host-key"])
            .arg(&host_key_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("sammachip serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout is piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the server's first line");
        let Some(addr) = line.trim().strip_prefix("listening on ").map(str::to_string) else {
            let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
            let _ = child.kill();
            panic!("the server said {line:?} instead of `listening on ADDR`; its log:\n{log}");
        };
        eprintln!("ssh_sessions: server listening on {addr} after {:.1} s", t.elapsed().as_secs_f64());
        let host_key = PrivateKey::read_openssh_file(&host_key_path)
            .expect("the host key the server made")
            .public_key()
            .clone();
        Server { dir, child, _stdout: stdout, addr, host_key, key: Arc::new(key) }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// SIGTERM, then waits for the server to flush and go.
    fn stop(&mut self) -> String {
        if let Ok(Some(status)) = self.child.try_wait() {
            return format!("had already exited ({status})");
        }
        let _ = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return format!("stopped on SIGTERM in {} ms ({status})", start.elapsed().as_millis());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        "did not stop within 20 s of SIGTERM; killed".into()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Accepts the server's own host key and no other.
struct Client {
    host_key: PublicKey,
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

/// The client's socket, counting the bytes the server sent.
struct Counted {
    inner: TcpStream,
    read: Arc<AtomicU64>,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        self.read.fetch_add((buf.filled().len() - before) as u64, Ordering::Relaxed);
        r
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// One frame as the client received it.
struct Frame {
    /// Channel data, all messages together.
    bytes: usize,
    /// Channel data of each SSH message the frame came in.
    sizes: Vec<usize>,
}

/// What answered a key.
struct Answer {
    latency: Duration,
    frame: Frame,
    /// Bytes read from the socket between sending the key and the frame's end.
    wire: u64,
}

/// An officer's terminal: a logged-in SSH session with a shell on an 80×24 pty.
struct Session {
    handle: Handle<Client>,
    channel: Channel<Msg>,
    read: Arc<AtomicU64>,
}

impl Session {
    /// Connects, logs in, asks for the pty and the shell; returns the session
    /// and its first frame.
    async fn open(server: &Server) -> Result<(Session, Frame), String> {
        let config = client::Config { inactivity_timeout: None, nodelay: true, ..Default::default() };
        let client = Client { host_key: server.host_key.clone() };
        let tcp = TcpStream::connect(server.addr.as_str()).await.map_err(|e| format!("connect: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let read = Arc::new(AtomicU64::new(0));
        let stream = Counted { inner: tcp, read: Arc::clone(&read) };
        let mut handle = client::connect_stream(Arc::new(config), stream, client)
            .await
            .map_err(|e| format!("SSH handshake: {e}"))?;
        let auth = handle
            .authenticate_publickey(LOGIN, PrivateKeyWithHashAlg::new(Arc::clone(&server.key), None))
            .await
            .map_err(|e| format!("login: {e}"))?;
        if !auth.success() {
            return Err("login refused".into());
        }
        let channel = handle.channel_open_session().await.map_err(|e| format!("channel: {e}"))?;
        channel
            .request_pty(false, "xterm-256color", 80, 24, 0, 0, &[])
            .await
            .map_err(|e| format!("pty: {e}"))?;
        channel.request_shell(false).await.map_err(|e| format!("shell: {e}"))?;
        let mut s = Session { handle, channel, read };
        let first = match s.frame(Duration::from_secs(60)).await {
            // Every session logs in as the same officer: from the second on,
            // the server asks whether to take the first over (1) or open a
            // new one (2).
            Err(e) if e == ASKED => s.key(b"2").await?.map(|a| a.frame),
            other => other?,
        };
        let first = first.ok_or("no first frame within 60 s")?;
        Ok((s, first))
    }

    /// The next whole frame, or None if none began within `wait`.
    async fn frame(&mut self, wait: Duration) -> Result<Option<Frame>, String> {
        let mut tail: Vec<u8> = Vec::new();
        let mut frame = Frame { bytes: 0, sizes: Vec::new() };
        loop {
            // Once a frame has begun, its rest is not long in coming.
            let limit = if frame.sizes.is_empty() { wait } else { Duration::from_secs(30) };
            let msg = match tokio::time::timeout(limit, self.channel.wait()).await {
                Ok(m) => m,
                Err(_) if frame.sizes.is_empty() => return Ok(None),
                Err(_) => return Err(format!("a frame was cut off after {} bytes", frame.bytes)),
            };
            match msg {
                Some(ChannelMsg::Data { data }) => {
                    frame.bytes += data.len();
                    frame.sizes.push(data.len());
                    // Keep enough of the end to see the marker across messages.
                    tail.extend_from_slice(&data[data.len().saturating_sub(FRAME_END.len())..]);
                    if tail.ends_with(FRAME_END) {
                        return Ok(Some(frame));
                    }
                    let cut = tail.len().saturating_sub(FRAME_END.len());
                    tail.drain(..cut);
                    if frame.sizes.len() == 1 && data.starts_with(SECOND_LOGIN) {
                        return Err(ASKED.into());
                    }
                    if frame.sizes.len() == 1 && !data.starts_with(b"\x1b") {
                        // Not a frame: the server's text (session cap, idle, crash).
                        return Err(format!("the server said: {}", String::from_utf8_lossy(&data).trim()));
                    }
                }
                Some(ChannelMsg::Eof | ChannelMsg::Close) | None => {
                    return Err("the server closed the session".into());
                }
                Some(_) => {}
            }
        }
    }

    /// Frames that came without a key (ticks), taken off so they are not
    /// counted as the answer to the next key.
    async fn drain(&mut self) -> Result<usize, String> {
        let mut n = 0;
        while self.frame(Duration::ZERO).await?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    /// Sends a key; what answered it, or None if no frame came.
    async fn key(&mut self, key: &'static [u8]) -> Result<Option<Answer>, String> {
        let read = self.read.load(Ordering::Relaxed);
        let t = Instant::now();
        self.channel.data_bytes(key).await.map_err(|e| format!("sending a key: {e}"))?;
        Ok(self.frame(NO_FRAME).await?.map(|frame| Answer {
            latency: t.elapsed(),
            frame,
            wire: self.read.load(Ordering::Relaxed) - read,
        }))
    }

    /// From the Overview tab (where the app opens) to the Funds tab.
    async fn open_funds(&mut self) -> Result<(), String> {
        self.key(b"2").await?.ok_or("no frame after `2` (Funds tab)")?;
        // Anything the tab still draws (a loaded list) comes now, not later.
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.drain().await?;
        Ok(())
    }

    async fn close(self) {
        let _ = self.channel.eof().await;
        let _ = self.channel.close().await;
        let _ = self.handle.disconnect(Disconnect::ByApplication, "bench done", "en").await;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Nearest-rank percentile of sorted samples.
fn pct<T: Copy>(sorted: &[T], p: f64) -> T {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// One session alone: the round trip of a one-row move, under criterion.
/// Moves alternate Up and Down so the cursor stays near the top of the list.
fn single_session(c: &mut Criterion, rt: &Runtime, server: &Server, plan: &Plan) {
    let (mut s, _) = rt.block_on(Session::open(server)).expect("a single session opens");
    rt.block_on(s.open_funds()).expect("the single session reaches the Funds tab");

    // Bytes of a one-row move, alone on the server.
    let n = if plan.full { 40 } else { 3 };
    let answers: Vec<Answer> =
        (0..n).map(|_| rt.block_on(s.key(DOWN)).expect("a Down key").expect("a frame after Down")).collect();
    let mut latency: Vec<Duration> = answers.iter().map(|a| a.latency).collect();
    latency.sort();
    let mid = &answers[n / 2];
    eprintln!(
        "ssh_sessions: one session alone, {n} Down moves: latency p50 {:.2} ms; a typical one came as \
         {} SSH data messages of {:?} B ({} B data, {} B on the wire)",
        ms(pct(&latency, 0.5)),
        mid.frame.sizes.len(),
        mid.frame.sizes,
        mid.frame.bytes,
        mid.wire
    );

    let mut group = c.benchmark_group("ssh");
    group.sample_size(20).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(10));
    let mut up = true;
    group.bench_function(format!("{}/one_session_row_move_round_trip", plan.scale), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let key = if up { UP } else { DOWN };
                    up = !up;
                    let a = s.key(key).await.expect("a key").expect("a frame after a one-row move");
                    total += a.latency;
                }
                total
            })
        })
    });
    group.finish();
    rt.block_on(s.close());
}

/// What one session of the load run saw.
#[derive(Default)]
struct Outcome {
    login: Duration,
    first_frame: usize,
    latencies: Vec<Duration>,
    down_bytes: Vec<usize>,
    messages: Vec<usize>,
    down_wire: Vec<u64>,
    no_frame: usize,
    unasked: usize,
    error: Option<String>,
}

async fn one_of_many(
    server: Arc<Server>,
    plan: Arc<Plan>,
    nth: u32,
    ready: Arc<Barrier>,
    go: Arc<Barrier>,
) -> (Outcome, Option<Session>) {
    let mut out = Outcome::default();
    tokio::time::sleep(plan.login_every * nth).await;
    let t = Instant::now();
    let opened = match Session::open(&server).await {
        Ok((mut s, first)) => {
            out.login = t.elapsed();
            out.first_frame = first.bytes;
            s.open_funds().await.map(|()| s)
        }
        Err(e) => Err(e),
    };
    // Every session passes the barriers, even one that failed, so none waits forever.
    ready.wait().await;
    go.wait().await;
    let mut s = match opened {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e);
            return (out, None);
        }
    };
    let mut key = DOWN;
    for i in 0..plan.warmup + plan.moves {
        let think = Duration::from_millis(rand::random_range(20..=50));
        tokio::time::sleep(think).await;
        let step = async {
            let unasked = s.drain().await?;
            Ok::<_, String>((unasked, s.key(key).await?))
        };
        match step.await {
            Ok((unasked, answer)) => {
                out.unasked += unasked;
                match answer {
                    Some(a) if i >= plan.warmup => {
                        out.latencies.push(a.latency);
                        out.messages.push(a.frame.sizes.len());
                        if key == DOWN {
                            out.down_bytes.push(a.frame.bytes);
                            out.down_wire.push(a.wire);
                        }
                    }
                    Some(_) => {}
                    None => {
                        // The end of the list: go back the other way.
                        out.no_frame += 1;
                        key = if key == DOWN { UP } else { DOWN };
                    }
                }
            }
            Err(e) => {
                out.error = Some(format!("move {i}: {e}"));
                return (out, Some(s));
            }
        }
    }
    (out, Some(s))
}

fn many_sessions(rt: &Runtime, server: Arc<Server>, plan: Plan) -> Server {
    let pid = server.pid();
    let n = plan.sessions;
    let idle = Mem::of(pid);
    let plan = Arc::new(plan);
    let (ready, go) = (Arc::new(Barrier::new(n + 1)), Arc::new(Barrier::new(n + 1)));
    match plan.login_every.as_millis() {
        0 => eprintln!("ssh_sessions: opening {n} sessions at once"),
        ms => eprintln!("ssh_sessions: opening {n} sessions, one every {ms} ms"),
    }
    let t = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let nth = u32::try_from(i).unwrap_or(u32::MAX);
            rt.spawn(one_of_many(
                Arc::clone(&server),
                Arc::clone(&plan),
                nth,
                Arc::clone(&ready),
                Arc::clone(&go),
            ))
        })
        .collect();
    rt.block_on(ready.wait());
    let opened_in = t.elapsed();
    // Let the sessions' threads settle on the Funds tab.
    std::thread::sleep(Duration::from_secs(1));
    let with_sessions = Mem::of(pid);
    let (server_cpu, client_cpu) = (cpu(&pid.to_string()), cpu("self"));
    eprintln!("ssh_sessions: {n} sessions on the Funds tab after {:.1} s; moving", opened_in.as_secs_f64());
    let t = Instant::now();
    rt.block_on(go.wait());
    let results: Vec<(Outcome, Option<Session>)> = rt.block_on(async {
        let mut v = Vec::new();
        for task in tasks {
            v.push(task.await.expect("a session task ends without panicking"));
        }
        v
    });
    let wall = t.elapsed();
    let (server_cpu, client_cpu) = (cpu(&pid.to_string()) - server_cpu, cpu("self") - client_cpu);
    let after = Mem::of(pid);

    let mut lat: Vec<Duration> = results.iter().flat_map(|r| r.0.latencies.iter().copied()).collect();
    let mut bytes: Vec<usize> = results.iter().flat_map(|r| r.0.down_bytes.iter().copied()).collect();
    let mut logins: Vec<Duration> =
        results.iter().filter(|r| r.0.error.is_none()).map(|r| r.0.login).collect();
    let mut firsts: Vec<usize> =
        results.iter().filter(|r| r.0.first_frame > 0).map(|r| r.0.first_frame).collect();
    let mut messages: Vec<usize> = results.iter().flat_map(|r| r.0.messages.iter().copied()).collect();
    let mut wire: Vec<u64> = results.iter().flat_map(|r| r.0.down_wire.iter().copied()).collect();
    let no_frame: usize = results.iter().map(|r| r.0.no_frame).sum();
    let unasked: usize = results.iter().map(|r| r.0.unasked).sum();
    let errors: Vec<String> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.0.error.as_ref().map(|e| format!("session {i}: {e}")))
        .collect();
    lat.sort();
    bytes.sort();
    messages.sort();
    wire.sort();
    logins.sort();
    firsts.sort();

    println!();
    println!("== sammachip serve: {n} concurrent SSH sessions (russh client) ==");
    println!(
        "scale {}, 80×24 xterm-256color, Funds tab, {} Down moves per session after {} warm-up, \
         think time 20–50 ms random",
        plan.scale, plan.moves, plan.warmup
    );
    println!(
        "machine: {} cores; the client (tokio, 2 workers) runs on the same cores as the server",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "sessions: {} of {n} completed, {} errors; all {n} logged in and on Funds in {:.1} s",
        n - errors.len(),
        errors.len(),
        opened_in.as_secs_f64()
    );
    if !logins.is_empty() {
        println!(
            "login to first frame: p50 {:.1} ms, max {:.1} ms",
            ms(pct(&logins, 0.5)),
            ms(logins[logins.len() - 1])
        );
    }
    if lat.is_empty() {
        println!("keystroke to frame: no samples");
    } else {
        let p99 = pct(&lat, 0.99);
        println!(
            "keystroke to frame ({} keys): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms — \
             budget p99 <= 50 ms: {}",
            lat.len(),
            ms(pct(&lat, 0.5)),
            ms(pct(&lat, 0.95)),
            ms(p99),
            ms(lat[lat.len() - 1]),
            if p99 <= Duration::from_millis(50) { "met" } else { "MISSED" }
        );
    }
    println!("keys with no frame: {no_frame}; frames no key asked for: {unasked}");
    if !messages.is_empty() {
        println!(
            "SSH data messages per frame: median {}, max {}",
            pct(&messages, 0.5),
            messages[messages.len() - 1]
        );
    }
    println!(
        "load phase: {:.1} s wall; CPU server {:.1} s ({:.0}% of one core), client {:.1} s ({:.0}%)",
        wall.as_secs_f64(),
        server_cpu.as_secs_f64(),
        100.0 * server_cpu.as_secs_f64() / wall.as_secs_f64(),
        client_cpu.as_secs_f64(),
        100.0 * client_cpu.as_secs_f64() / wall.as_secs_f64()
    );
    println!("server memory before any session:        {}", idle.text());
    println!("server memory, {n} sessions on Funds (idle): {}", with_sessions.text());
    println!("server memory, {n} sessions after moving:    {}", after.text());
    println!(
        "  per session: {:.2} MB VmRSS",
        (with_sessions.rss as f64 - idle.rss as f64) / 1024.0 / n.max(1) as f64
    );
    if !bytes.is_empty() {
        println!(
            "bytes for a one-row move (Down), SSH data payload: median {} B, p90 {} B, max {} B",
            pct(&bytes, 0.5),
            pct(&bytes, 0.9),
            bytes[bytes.len() - 1]
        );
    }
    if !wire.is_empty() {
        println!(
            "  on the wire (SSH packets with padding and MAC, read by the client): median {} B, p90 {} B, \
             max {} B",
            pct(&wire, 0.5),
            pct(&wire, 0.9),
            wire[wire.len() - 1]
        );
    }
    if !firsts.is_empty() {
        println!(
            "bytes of the first full frame (Overview): median {} B (min {}, max {})",
            pct(&firsts, 0.5),
            firsts[0],
            firsts[firsts.len() - 1]
        );
    }
    for e in errors.iter().take(10) {
        println!("  {e}");
    }

    rt.block_on(async {
        for s in results.into_iter().filter_map(|r| r.1) {
            s.close().await;
        }
    });
    // The sessions' threads notice the closed channels.
    std::thread::sleep(Duration::from_millis(800));
    Arc::into_inner(server).expect("no session task holds the server any more")
}

/// Lines of the server's log worth a look, counted by kind.
fn review_log(path: &Path) {
    let log = std::fs::read_to_string(path).unwrap_or_default();
    let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
    println!(
        "server log: {} lines, {} logins, {} sessions started, {} ended; input dropped {}, refused {}, \
         errors {}, internal errors {}",
        log.lines().count(),
        count(" login "),
        count("TERM="),
        log.lines().filter(|l| l.contains(" session ") && l.contains(" ended")).count(),
        count("input dropped"),
        count("refused"),
        count("error"),
        count("internal error")
    );
    let worth = |l: &&str| ["dropped", "refused", "error", "failed", "panic"].iter().any(|w| l.contains(w));
    for l in log.lines().filter(worth).take(20) {
        println!("  {l}");
    }
}

fn main() {
    let plan = Plan::from_env();
    if std::env::args().any(|a| a == "--list") {
        println!("ssh/{}/one_session_row_move_round_trip: benchmark", plan.scale);
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the client's tokio runtime");
    let server = Server::start(&plan.scale);

    let mut criterion = Criterion::default().configure_from_args();
    single_session(&mut criterion, &rt, &server, &plan);
    criterion.final_summary();

    let log = server.log_path();
    let mut server = many_sessions(&rt, Arc::new(server), plan);
    let stopped = server.stop();
    println!("server {stopped}");
    review_log(&log);
}
