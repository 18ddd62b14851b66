//! Entering and leaving the terminal's app mode, and the panic hook that always leaves it
//! usable: raw mode off, main screen back, mouse capture and bracketed paste off.

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};
use std::io::{self, Stdout};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal in app mode. Mouse capture stays off: it would stop officials from
/// selecting and copying identity numbers.
pub fn enter() -> io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    let mut out = io::stdout();
    if let Err(e) = execute!(out, EnterAlternateScreen, EnableBracketedPaste) {
        leave();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(out))
}

/// Draws one frame as one update: a terminal that knows synchronized output (mode 2026)
/// shows it whole, never half old and half new while the bytes trickle over a slow SSH
/// link; one that does not ignores the two sequences.
pub fn draw(term: &mut Term, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
    execute!(term.backend_mut(), BeginSynchronizedUpdate)?;
    let drawn = term.draw(render).map(|_| ());
    let ended = execute!(term.backend_mut(), EndSynchronizedUpdate);
    drawn.and(ended)
}

/// Restores the terminal; safe to call more than once and from a panic.
pub fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        LeaveAlternateScreen,
        DisableMouseCapture,
        DisableBracketedPaste,
        crossterm::cursor::Show
    );
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
}
