//! A terminal window in tmux (an outside program: the outside-clients group
//! only), with a tmux server of its own so tests do not see each other.
#![allow(dead_code)]

use std::{
    process::{Command, Output},
    sync::atomic::{AtomicUsize, Ordering},
    thread::sleep,
    time::Duration,
};

use super::window::Window;

pub struct Tmux {
    socket: String,
    /// A pause after each key, so Esc followed by a letter is not read as Alt.
    pause: Duration,
}

impl Tmux {
    /// Runs `command` (through the shell) in a fresh 80×24 window with `env`
    /// ("NAME=value"); the pane stays after it exits.
    pub fn launch(command: &str, env: &[&str], pause: Duration) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let t = Tmux { socket: format!("sammachip-e2e-{}-{n}", std::process::id()), pause };
        let mut args = vec!["new-session", "-d", "-s", "app", "-x", "80", "-y", "24"];
        for e in env {
            args.extend(["-e", e]);
        }
        args.push(command);
        let out = t.cmd(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        t.cmd(&["set-option", "-t", "app", "remain-on-exit", "on"]);
        t
    }

    /// Kills the program in the window at once (`kill -9`), and what it
    /// started.
    pub fn kill_program(&self) {
        let out = self.cmd(&["display-message", "-p", "-t", "app", "#{pane_pid}"]);
        let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(!pid.is_empty(), "no pane pid");
        let _ = Command::new("pkill").args(["-9", "-P", &pid]).status();
        let _ = Command::new("kill").args(["-9", &pid]).status();
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed (.ci/run installs it)")
    }
}

impl Window for Tmux {
    fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "app", k]);
            sleep(self.pause);
        }
    }

    fn text(&mut self, s: &str) {
        self.cmd(&["send-keys", "-t", "app", "-l", s]);
        sleep(self.pause);
    }

    fn paste(&mut self, s: &str) {
        // tmux's own paste: newlines as carriage returns, and the marks only
        // if the program asked for them.
        self.cmd(&["set-buffer", "-b", "e2e", "--", s]);
        self.cmd(&["paste-buffer", "-p", "-d", "-b", "e2e", "-t", "app"]);
        sleep(self.pause);
    }

    fn screen(&mut self) -> String {
        // Once the program has ended, tmux writes "Pane is dead" on a new
        // last line, which pushes the screen up by one: that line is read
        // back from the history.
        let from = if self.ended() { "-1" } else { "0" };
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-S", from, "-t", "app"]).stdout)
            .into_owned()
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        let (cols, rows) = (cols.to_string(), rows.to_string());
        self.cmd(&["resize-window", "-t", "app", "-x", &cols, "-y", &rows]);
    }

    fn ended(&mut self) -> bool {
        let out = self.cmd(&["display-message", "-p", "-t", "app", "#{pane_dead}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    fn poll(&self) -> Duration {
        Duration::from_millis(100)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}
