//! The one event loop, for the local terminal (`tui`) and every SSH session
//! (`ssh`) alike: wait for input; turn each key into an action through the
//! keymap and hand it to [`App::update`]; take everything that is waiting
//! before drawing once; tick when nothing comes (background work, other
//! officers' saves). Each front end says only where input comes from, where
//! frames go and what to do when the officer is idle (a [`Frontend`]).

use std::{
    io,
    sync::Arc,
    time::{Duration, Instant},
};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::{
    app::{Action, App},
    i18n::{Key, k},
    store::Store,
    ui::keymap,
};

/// What came in.
#[derive(Debug)]
pub enum Input {
    /// A key, a resize or a paste.
    Event(Event),
    /// Something the officer must be told (a paste cut at its limit).
    Note(Key),
}

/// What waiting for input gave.
pub enum Next {
    /// Everything that was waiting, in order.
    Inputs(Vec<Input>),
    /// Nothing came in time.
    Timeout,
    /// The input is gone (the client left).
    Closed,
}

/// How the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The officer quit.
    Quit,
    /// The first frame was drawn (measurements), this long after the start.
    FirstFrame(Duration),
    /// The front end ended it (idle, account disabled, client gone).
    Left(&'static str),
}

/// Where input comes from and frames go.
pub trait Frontend {
    /// Waits up to `timeout` for input; returns everything waiting.
    fn next(&mut self, timeout: Duration) -> io::Result<Next>;

    /// Draws one frame.
    fn draw(&mut self, app: &App) -> io::Result<()>;

    /// The terminal changed size (before the app hears of it).
    fn resize(&mut self, _w: u16, _h: u16) -> io::Result<()> {
        Ok(())
    }

    /// How long to wait for input before a tick.
    fn wait(&self, app: &App) -> Duration {
        tick_after(app, Duration::from_secs(1))
    }

    /// A tick passed with no input (`changed`: whether it changed the screen).
    /// `Some(reason)` ends the loop.
    fn idle(
        &mut self,
        _app: &mut App,
        _store: &Arc<Store>,
        _changed: bool,
    ) -> io::Result<Option<&'static str>> {
        Ok(None)
    }
}

/// How often the loop looks for a ranking made beside the screen.
const RANKING_POLL: Duration = Duration::from_millis(10);

/// How long the loop waits for a key before it ticks: not at all while a
/// search goes on in slices (the next slice, unless a key is waiting),
/// [`RANKING_POLL`] while a ranking is made beside the screen, a tenth of a
/// second while a job runs, else the front end's `idle` wait.
pub fn tick_after(app: &App, idle: Duration) -> Duration {
    if app.occ.is_searching() {
        Duration::ZERO
    } else if app.rank.is_ranking() {
        RANKING_POLL
    } else if app.job.is_some() {
        Duration::from_millis(100)
    } else {
        idle
    }
}

/// Runs the app until the officer quits or the front end ends it.
/// `first_frame`: return as soon as the first frame is drawn.
pub fn run(
    front: &mut impl Frontend,
    app: &mut App,
    store: &Arc<Store>,
    first_frame: Option<Instant>,
) -> io::Result<End> {
    let mut dirty = true;
    // On a screen, a search's slice also ends with its time.
    app.occ.set_time_per_slice(Some(crate::app::occupations::SLICE_TIME));
    loop {
        if app.quit {
            return Ok(End::Quit);
        }
        if dirty {
            front.draw(app)?;
            dirty = false;
            if let Some(start) = first_frame {
                return Ok(End::FirstFrame(start.elapsed()));
            }
        }
        let wait = front.wait(app);
        match front.next(wait)? {
            Next::Inputs(inputs) => {
                for input in inputs {
                    dirty |= apply(front, app, store, input)?;
                    if app.quit {
                        break;
                    }
                }
            }
            Next::Timeout => {
                let changed = app.update(Action::Tick, store);
                dirty |= changed;
                if let Some(why) = front.idle(app, store, changed)? {
                    return Ok(End::Left(why));
                }
            }
            Next::Closed => return Ok(End::Left("client left")),
        }
    }
}

/// One input. Returns whether the screen may have changed.
pub fn apply(front: &mut impl Frontend, app: &mut App, store: &Arc<Store>, input: Input) -> io::Result<bool> {
    Ok(match input {
        Input::Note(key) => {
            app.info(key);
            true
        }
        Input::Event(Event::Key(key)) if key.kind == KeyEventKind::Press => {
            keymap::action_for(app.ctx(), key).is_some_and(|a| app.update(a, store))
        }
        Input::Event(Event::Resize(w, h)) => {
            front.resize(w, h)?;
            app.update(Action::Resize(w, h), store)
        }
        // Pasted text goes into a field or a filter; on a list it is not
        // taken for keys (a pasted `q` does not quit, `d` does not delete).
        Input::Event(Event::Paste(text)) => paste(app, store, &text),
        Input::Event(_) => false,
    })
}

/// The most of one paste a field takes (a paste is typed into the field
/// character by character; a stray megabyte would hold the session).
pub const MAX_PASTE: usize = 64 << 10;

/// Pasted text, into the field or filter under the cursor. On a list it is
/// not taken for keys (a pasted `q` does not quit, `d` does not delete). Line
/// breaks and tabs become spaces; characters a field cannot hold are left
/// out, and the officer is told how many (they were dropped without a word);
/// past [`MAX_PASTE`] the rest is cut, and said (it was, over SSH only).
/// Returns whether the screen may have changed.
pub fn paste(app: &mut App, store: &Arc<Store>, text: &str) -> bool {
    if app.ctx().is_navigation() {
        return false;
    }
    let mut end = text.len().min(MAX_PASTE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let (kept, left_out) = crate::domain::clean::paste(&text[..end]);
    let mut dirty = false;
    for c in kept.chars() {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        if let Some(a) = keymap::action_for(app.ctx(), key) {
            dirty |= app.update(a, store);
        }
    }
    if end < text.len() {
        app.info(k::PASTE_CUT);
        dirty = true;
    } else if left_out > 0 {
        app.info(crate::i18n::Msg::with(k::PASTE_LEFT_OUT, [left_out.to_string()]));
        dirty = true;
    }
    dirty
}

/// One frame onto a crossterm terminal, as one synchronized update: the
/// officer's terminal shows it whole or not at all (local and SSH alike).
pub fn draw_frame<W: io::Write>(
    terminal: &mut ratatui::Terminal<ratatui::backend::CrosstermBackend<W>>,
    app: &App,
) -> io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| crate::ui::draw(f, app))?;
    crossterm::queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    io::Write::flush(terminal.backend_mut())
}
