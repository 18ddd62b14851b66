//! Issue 18: asking for the inbox's pages as the officer moves, types or changes queue,
//! and taking the answers. The pages themselves are kept by `Inbox` (`tui::paging`).

use super::*;
use crate::tui::paging::PageAnswer;

/// Asks for the page the screen needs next, if any and if none is on its way: after
/// every move, change of queue, filter edit and answer. `settled`: the filter is not
/// being typed (a pause, Enter, Esc), so a new search may go to the portal.
pub(super) fn follow(app: &mut App, settled: bool) -> Vec<Effect> {
    if app.screen != Screen::Main {
        return vec![];
    }
    // A page of a listing neither held nor wanted any more (a search cleared, a queue
    // left and come back to) is of no use: its answer must not replace the rows held.
    let stale = app
        .inbox
        .window
        .loading
        .as_ref()
        .is_some_and(|(_, f)| f.key != app.inbox.window.key && f.key != app.inbox.wanted());
    if stale && let Some((old, _)) = app.inbox.window.loading.take() {
        app.pending.remove(&old);
    }
    let Some(fetch) = app.inbox.next_fetch(settled) else {
        return vec![];
    };
    // A page of another listing on its way is of no use any more.
    if let Some((old, _)) = app.inbox.window.loading.take() {
        app.pending.remove(&old);
    }
    let id = request(app, Purpose::Page);
    app.inbox.window.loading = Some((id, fetch.clone()));
    app.inbox.window.failed = false;
    vec![Effect::LoadPage { id, fetch }]
}

/// A keystroke changed the filter: the rows held answer now (the caller rebuilt the
/// view); the portal is asked after the pause, unless everything is held.
pub(super) fn typed(app: &mut App) -> Vec<Effect> {
    app.inbox.filter_gen += 1;
    if app.inbox.whole() {
        return vec![];
    }
    let mut effects = follow(app, false);
    effects.push(Effect::FilterPause {
        generation: app.inbox.filter_gen,
    });
    effects
}

pub(super) fn on_filter_paused(app: &mut App, generation: u64) -> Vec<Effect> {
    if generation != app.inbox.filter_gen {
        return vec![];
    }
    follow(app, true)
}

pub(super) fn on_page(
    app: &mut App,
    id: RequestId,
    result: Result<PageAnswer, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    if app.inbox.window.loading.as_ref().map(|(at, _)| *at) != Some(id) {
        return vec![];
    }
    app.inbox.window.loading = None;
    match result {
        Ok(answer) => {
            let mut effects = vec![];
            if answer.key == app.inbox.window.key {
                app.inbox.add_page(answer);
            } else if answer.number == 0 && answer.key == app.inbox.wanted() {
                // The first page of another listing (a queue, a search): it replaces
                // the rows held. One of a listing left since it was asked does not
                // (a search cleared, a queue left and come back to): the rows held
                // stay, and the page the screen needs now is asked below.
                let key = answer.key.clone();
                let none = answer.total == 0;
                app.inbox.offset = 0;
                app.inbox.replace(answer);
                // A search that finds nothing here says how many it finds elsewhere.
                if none && !key.q.is_empty() && key.queue != Queue::All {
                    let id = request(app, Purpose::Page);
                    effects.push(Effect::CountElsewhere { id, q: key.q });
                }
            }
            // The selection may still be near an edge (a short page, a fast scroll).
            effects.extend(follow(app, true));
            effects
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(_) => {
            // The list says so in its last row; the next key asks again.
            app.inbox.window.failed = true;
            vec![]
        }
    }
}

pub(super) fn on_counted_elsewhere(
    app: &mut App,
    id: RequestId,
    result: Result<(String, u64), Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    match result {
        Ok(found) => {
            app.inbox.elsewhere = Some(found);
            let keep = app.inbox.selected_code();
            app.inbox.rebuild(keep);
            vec![]
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        // Only a hint: without it the list says that nothing matches.
        Err(_) => vec![],
    }
}
