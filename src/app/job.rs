//! Work beside the screen (demo data, an import's check and save): it runs
//! on its own thread, reports progress in thousandths, and hands its result
//! back through a channel, so the screen keeps drawing and other officers'
//! sessions keep working meanwhile.

use std::sync::{
    Arc,
    atomic::{AtomicU32, Ordering},
    mpsc,
};

use crate::{
    i18n::{Key, Msg},
    io::import::Summary,
};

/// What a job hands back when it ends.
pub enum Done {
    /// Demo data: what to say.
    Demo(Result<Msg, Msg>),
    /// An import's check (a dry run).
    Checked(Result<Summary, Msg>),
    /// An import's save.
    Saved(Result<Summary, Msg>),
}

pub struct Job {
    pub what: Msg,
    /// Progress in thousandths.
    pub progress: Arc<AtomicU32>,
    /// What Ctrl-C says before it quits in the middle.
    pub quit: Key,
    pub(super) rx: mpsc::Receiver<Done>,
}

impl Job {
    /// Runs `work` on its own thread; it reports progress in thousandths.
    pub fn spawn(what: Msg, quit: Key, work: impl FnOnce(&dyn Fn(u32)) -> Done + Send + 'static) -> Job {
        let progress = Arc::new(AtomicU32::new(0));
        let (tx, rx) = mpsc::channel();
        let p = Arc::clone(&progress);
        std::thread::spawn(move || {
            let done = work(&|n| p.store(n.min(1000), Ordering::Relaxed));
            // The screen may be gone; nothing to tell then.
            let _ = tx.send(done);
        });
        Job { what, progress, quit, rx }
    }
}
