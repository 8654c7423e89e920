//! The terminal front end for a local officer: crossterm events in, ratatui
//! frames out, through the one event loop of `front` (which drains all
//! pending input, then draws once, inside a synchronized update so the
//! terminal never shows half a frame).

use std::{
    cell::{Cell, RefCell},
    io,
    sync::Arc,
    time::{Duration, Instant},
};

use crossterm::event::{self, Event};
use ratatui::DefaultTerminal;

use crate::{
    app::{Action, App},
    front::{self, End, Frontend, Input, Next},
    store::Store,
};

/// Our panic hook goes in before ratatui's, so ratatui restores the terminal
/// first and then ours tells the officer what happened in plain words.
/// Once per process (the opening screen and the app both ask).
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            paste_marks(false);
            prev(info);
            eprintln!(
                "\nsammachip หยุดทำงานเพราะข้อผิดพลาดภายใน ข้อมูลที่บันทึกแล้วไม่สูญหาย\n\
                 sammachip stopped on an internal error. Everything saved is safe."
            );
        }));
    });
}

/// Asks the terminal to mark pastes (bracketed paste), or to stop: a pasted
/// line then reaches a field or filter as text, and a paste on a list does
/// nothing, instead of each character and newline acting as a key (a pasted
/// `q` quitting, a newline ending the filter). Not on Windows: crossterm
/// reads the console's key records there, which never carry the marks
/// (crossterm issue 737), and asking would only take away Windows
/// Terminal's own warning before a paste of several lines.
#[cfg(not(windows))]
fn paste_marks(on: bool) {
    use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
    let mut out = io::stdout();
    let _ = if on {
        crossterm::execute!(out, EnableBracketedPaste)
    } else {
        crossterm::execute!(out, DisableBracketedPaste)
    };
}

#[cfg(windows)]
fn paste_marks(_on: bool) {}

/// The terminal while an app run on its own opens its store: one frame
/// saying so, drawn at once (only on a terminal). [`run`] takes the terminal
/// over from it; dropped first (the store could not be opened), it gives the
/// terminal back so that the message is printed on the ordinary screen.
/// While it is up the terminal is raw, so Ctrl-C is a key, not a signal:
/// [`Opening::cancelled`] looks for it, and keeps every other key for the
/// app ([`Opening::hand_over`]), as the terminal would have.
pub struct Opening {
    on: Cell<bool>,
    typed: RefCell<Vec<Event>>,
}

impl Opening {
    pub fn show(lang: crate::domain::Lang, no_color: bool) -> Opening {
        use std::io::IsTerminal;
        let off = Opening { on: Cell::new(false), typed: RefCell::default() };
        if !io::stdout().is_terminal() {
            return off;
        }
        install_panic_hook();
        match ratatui::try_init() {
            Ok(mut t) => {
                let on = t.draw(|f| crate::ui::draw_opening(f, lang, no_color)).is_ok();
                if !on {
                    ratatui::restore();
                }
                off.on.set(on);
                off
            }
            Err(_) => {
                // Raw mode may be on although the rest failed.
                ratatui::restore();
                off
            }
        }
    }

    /// Gives the terminal back, if it was taken.
    pub fn end(&self) {
        if self.on.replace(false) {
            ratatui::restore();
        }
    }

    /// Whether the officer pressed Ctrl-C since last asked (only while the
    /// opening screen is up); any other key is kept for the app.
    pub fn cancelled(&self) -> bool {
        if !self.on.get() {
            return false;
        }
        while let Ok(true) = event::poll(Duration::ZERO) {
            let Ok(e) = event::read() else { return false };
            if is_interrupt(&e) {
                return true;
            }
            self.typed.borrow_mut().push(e);
        }
        false
    }

    /// The app takes the terminal as it is, and the keys typed meanwhile.
    pub fn hand_over(self) -> Vec<Event> {
        self.on.set(false);
        self.typed.take()
    }
}

/// Ctrl-C as a key (the terminal is raw), matched as the bindings match keys.
fn is_interrupt(e: &Event) -> bool {
    use crate::ui::keymap::is_ctrl;
    matches!(e, Event::Key(k) if k.kind != crossterm::event::KeyEventKind::Release
        && (is_ctrl(k, 'c') || is_ctrl(k, 'C')))
}

impl Drop for Opening {
    fn drop(&mut self) {
        self.end();
    }
}

pub struct Options {
    /// Exit after the first frame and report how long it took (measurements).
    pub exit_after_first_frame: Option<Instant>,
    /// Keys typed while the store opened, taken before any other.
    pub typed_ahead: Vec<Event>,
}

/// Runs the app until the officer quits.
pub fn run(store: Arc<Store>, mut app: App, opts: Options) -> io::Result<Option<Duration>> {
    install_panic_hook();
    // The opening screen may still be on the terminal: a new `Terminal`
    // takes it for blank, so it is cleared, or its words would stay in the
    // cells the first frame leaves empty (not with `Terminal::clear`, which
    // asks the terminal where its cursor is and waits for the answer). Any
    // failure gives the terminal back.
    let clear =
        || crossterm::execute!(io::stdout(), crossterm::terminal::Clear(crossterm::terminal::ClearType::All));
    let taken = ratatui::try_init().and_then(|t| clear().and_then(|()| t.size()).map(|size| (t, size)));
    let (terminal, size) = match taken {
        Ok(x) => x,
        Err(e) => {
            ratatui::restore();
            return Err(e);
        }
    };
    paste_marks(true);
    app.update(Action::Resize(size.width, size.height), &store);
    let typed = opts.typed_ahead.into_iter().map(Input::Event).collect();
    let mut front = Local { terminal, worked: true, typed };
    // A `sammachip backup` in another window asks this app for the backup
    // (the store is held here). Without the socket it says no one answers.
    let control = crate::service::control::serve(&store, Arc::new(|_| {})).ok();
    let result = front::run(&mut front, &mut app, &store, opts.exit_after_first_frame);
    drop(control);
    paste_marks(false);
    ratatui::restore();
    result.map(|end| match end {
        End::FirstFrame(took) => Some(took),
        End::Quit | End::Left(_) => None,
    })
}

/// The officer's own terminal.
struct Local {
    terminal: DefaultTerminal,
    /// Something was done since memory was last handed back to the system.
    worked: bool,
    /// Keys typed while the store opened.
    typed: Vec<Input>,
}

impl Frontend for Local {
    fn next(&mut self, timeout: Duration) -> io::Result<Next> {
        if !self.typed.is_empty() {
            return Ok(Next::Inputs(std::mem::take(&mut self.typed)));
        }
        if !event::poll(timeout)? {
            return Ok(Next::Timeout);
        }
        self.worked = true;
        // Take everything that is waiting, then draw once.
        let mut inputs = Vec::new();
        loop {
            inputs.push(Input::Event(event::read()?));
            if !event::poll(Duration::ZERO)? {
                return Ok(Next::Inputs(inputs));
            }
        }
    }

    fn draw(&mut self, app: &App) -> io::Result<()> {
        front::draw_frame(&mut self.terminal, app)
    }

    fn idle(
        &mut self,
        app: &mut App,
        _store: &Arc<Store>,
        changed: bool,
    ) -> io::Result<Option<&'static str>> {
        if self.worked && !changed && app.job.is_none() {
            // A second without a key: give back what the last screens freed
            // (glibc keeps it otherwise), so an officer who browses and then
            // reads holds only what the screens need.
            crate::app::release_free_memory();
            self.worked = false;
        }
        self.worked |= changed;
        Ok(None)
    }
}
