//! The real binary in a pseudo-terminal of its own (portable-pty), its
//! output read by a terminal emulator (vt100): an officer's terminal window
//! without tmux.
#![allow(dead_code)]

use std::{
    io::{Read, Write},
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::window::{AFTER_ESCAPE, Window, key_bytes, paste_bytes, vt_parser, vt_resize, vt_text};

pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// The reader has seen the end of the output (the program closed the
    /// terminal).
    closed: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }
}

impl Pty {
    /// Runs `program args` in a fresh 80×24 terminal (xterm-256color, UTF-8),
    /// in `cwd`.
    pub fn spawn(program: &str, args: &[&std::ffi::OsStr], cwd: &Path) -> Pty {
        let pair = native_pty_system().openpty(size(80, 24)).expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("LANG", "C.UTF-8");
        cmd.env("LC_ALL", "C.UTF-8");
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap_or_else(|e| panic!("{program}: {e}"));
        drop(pair.slave);
        let mut output = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt_parser(80, 24)));
        let closed = Arc::new(AtomicBool::new(false));
        let reader = {
            let (screen, closed) = (Arc::clone(&screen), Arc::clone(&closed));
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match output.read(&mut buf) {
                        // EIO once the program has closed its side.
                        Ok(0) | Err(_) => break,
                        Ok(n) => screen.lock().unwrap().process(&buf[..n]),
                    }
                }
                closed.store(true, Ordering::SeqCst);
            })
        };
        Pty { master: pair.master, writer, child, screen, closed, reader: Some(reader) }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("the program takes input");
        self.writer.flush().unwrap();
    }

    /// The program's exit code, once it has ended.
    pub fn exit_code(&mut self) -> Option<u32> {
        self.child.try_wait().unwrap().map(|s| s.exit_code())
    }
}

impl Window for Pty {
    fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            self.send(&key_bytes(k));
            if *k == "Escape" {
                std::thread::sleep(AFTER_ESCAPE);
            }
        }
    }

    fn text(&mut self, s: &str) {
        self.send(s.as_bytes());
    }

    fn paste(&mut self, s: &str) {
        let bracketed = self.screen.lock().unwrap().screen().bracketed_paste();
        self.send(&paste_bytes(bracketed, s));
    }

    fn screen(&mut self) -> String {
        vt_text(&self.screen.lock().unwrap())
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        // The emulator first, so that what the program draws at the new size
        // lands on a screen of that size.
        vt_resize(&mut self.screen.lock().unwrap(), cols, rows);
        self.master.resize(size(cols, rows)).unwrap();
    }

    fn ended(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            // SIGHUP, as when a terminal window is closed; SIGKILL if that
            // is not enough.
            let _ = self.child.kill();
            let start = Instant::now();
            while self.child.try_wait().ok().flatten().is_none() {
                if start.elapsed() > Duration::from_secs(5) {
                    #[cfg(unix)]
                    if let Some(pid) = self.child.process_id() {
                        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
                    }
                    let _ = self.child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        // The reader ends once the terminal is closed.
        let _ = self.reader.take();
    }
}
