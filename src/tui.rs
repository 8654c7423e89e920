//! The terminal front end for a local officer: crossterm events in, ratatui
//! frames out. Drains all pending input, then draws once, inside a synchronized
//! update so the terminal never shows half a frame.

use std::{
    io::{self, Write},
    sync::Arc,
    time::{Duration, Instant},
};

use crossterm::{
    event::{self, Event, KeyEventKind},
    terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate},
};
use ratatui::DefaultTerminal;

use crate::{
    app::{Action, App},
    store::Store,
    ui::{self, keymap},
};

/// Our panic hook goes in before ratatui's, so ratatui restores the terminal
/// first and then ours tells the officer what happened in plain words.
pub fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        prev(info);
        eprintln!(
            "\nsammachip หยุดทำงานเพราะข้อผิดพลาดภายใน ข้อมูลที่บันทึกแล้วไม่สูญหาย\n\
             sammachip stopped on an internal error. Everything saved is safe."
        );
    }));
}

pub struct Options {
    /// Exit after the first frame and report how long it took (measurements).
    pub exit_after_first_frame: Option<Instant>,
}

/// Runs the app until the officer quits.
pub fn run(store: Arc<Store>, mut app: App, opts: Options) -> io::Result<Option<Duration>> {
    install_panic_hook();
    let mut terminal = ratatui::try_init()?;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height), &store);
    let result = event_loop(&mut terminal, &mut app, &store, &opts);
    ratatui::restore();
    result
}

fn draw(terminal: &mut DefaultTerminal, app: &App) -> io::Result<()> {
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| ui::draw(f, app))?;
    crossterm::queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().flush()
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    store: &Arc<Store>,
    opts: &Options,
) -> io::Result<Option<Duration>> {
    let mut dirty = true;
    // Something was done since memory was last handed back to the system.
    let mut worked = true;
    loop {
        if app.quit {
            return Ok(None);
        }
        if dirty {
            draw(terminal, app)?;
            dirty = false;
            if let Some(start) = opts.exit_after_first_frame {
                return Ok(Some(start.elapsed()));
            }
        }
        let timeout = if app.job.is_some() { Duration::from_millis(100) } else { Duration::from_secs(1) };
        if !event::poll(timeout)? {
            let changed = app.update(Action::Tick, store);
            dirty |= changed;
            if worked && !changed && app.job.is_none() {
                // A second without a key: give back what the last screens freed
                // (glibc keeps it otherwise), so an officer who browses and then
                // reads holds only what the screens need.
                crate::app::release_free_memory();
                worked = false;
            }
            worked |= changed;
            continue;
        }
        worked = true;
        // Take everything that is waiting, then draw once.
        loop {
            match event::read()? {
                Event::Key(key) if key.kind == KeyEventKind::Press => {
                    if let Some(action) = keymap::action_for(app.ctx(), key) {
                        dirty |= app.update(action, store);
                    }
                }
                Event::Resize(w, h) => dirty |= app.update(Action::Resize(w, h), store),
                _ => {}
            }
            if app.quit || !event::poll(Duration::ZERO)? {
                break;
            }
        }
    }
}
