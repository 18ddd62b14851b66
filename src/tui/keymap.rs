//! Keys → commands, for every pane, wizard step and overlay. The built-in defaults are
//! data; the config's `[keys]` table overrides them per command. Each pane says which of
//! its commands are enabled now (`update::panes`); a key resolves to the first enabled
//! command bound to it, and the help overlay and the hint bar list the enabled commands
//! alone, so neither can show a key that does nothing there.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where a key is pressed: a pane, a step of the intake wizard, an overlay, login. A key
/// is looked up in the context first, then (for panes) in `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Inbox,
    /// The inbox's filter being typed.
    Filter,
    Detail,
    Lookup,
    Stats,
    /// The intake tab offering a draft from an earlier run.
    DraftOffer,
    Procedure,
    /// The cases of the highlighted procedure.
    CasePicker,
    Applicant,
    /// The citizen account form (in the wizard and in the citizens pane).
    CitizenForm,
    Documents,
    /// The path of a file to attach being typed.
    AttachPath,
    Delivery,
    DeliveryAddress,
    Review,
    Done,
    Citizens,
    CitizenRecord,
    /// A printable text (a form, a receipt, an activation slip) over the screen.
    FormView,
    /// A list to choose from: actions, forms, attachments, failed sends.
    Menu,
    /// The writes the portal refused: retry or discard each.
    DeadLetters,
    /// One line to type and confirm: the command line, a path to save or download to.
    Prompt,
    /// The command line: a prompt that completes commands.
    CommandLine,
    /// Taking a dossier's fee from its detail: cash with a receipt number, or VietQR.
    Payment,
    /// A workflow action's dialog: its inputs, then the confirmation.
    Dialog,
    /// An attachment shown inside the terminal.
    Viewer,
    /// Training: the exercises and their progress.
    Exercises,
    /// Training: the citizen's account activation, played by the trainee.
    Activation,
    /// Issue 16: a document part's scan and metadata being entered.
    DigitizeForm,
    /// Issue 21: a certification being entered (its rows, its fee, its number).
    Certify,
    /// Issue 21: the office's certification books, searched.
    CertifyBook,
    /// The help overlay: any key closes it.
    Help,
    Login,
    /// Asked before quitting or logging out while writes wait in the outbox or a form
    /// holds typed text.
    Leave,
}

impl Context {
    /// Panes inherit the global commands; overlays and login have only their own.
    pub fn inherits_global(self) -> bool {
        use Context::*;
        !matches!(
            self,
            Global
                | FormView
                | Menu
                | DeadLetters
                | Prompt
                | CommandLine
                | Payment
                | Dialog
                | Viewer
                | Exercises
                | Activation
                | DigitizeForm
                | Help
                | Login
                | Leave
        )
    }

    /// The panes where letters and digits are commands. Everywhere else a plain character
    /// is the pane's own (mostly text for the focused field): the global `q`, `?`, `1`–`5`
    /// do not reach those panes, their Ctrl-, Alt- and function keys do.
    pub fn browses(self) -> bool {
        matches!(
            self,
            Context::Global | Context::Inbox | Context::Detail | Context::Stats
        )
    }

    /// The contexts with a text field, where a plain character an override binds would
    /// stop being typed.
    fn types_text(self) -> bool {
        use Context::*;
        matches!(
            self,
            Filter
                | Lookup
                | Procedure
                | Applicant
                | CitizenForm
                | AttachPath
                | DeliveryAddress
                | Review
                | Citizens
                | Prompt
                | CommandLine
                | Payment
                | Dialog
                | Activation
                | DigitizeForm
                | Certify
                | CertifyBook
                | Login
        )
    }

    /// The name used in config errors.
    pub fn name(self) -> &'static str {
        use Context::*;
        match self {
            Global => "global",
            Inbox => "inbox",
            Filter => "inbox filter",
            Detail => "dossier detail",
            Lookup => "lookup",
            Stats => "statistics",
            DraftOffer => "intake draft offer",
            Procedure => "intake procedure",
            CasePicker => "intake case",
            Applicant => "intake applicant",
            CitizenForm => "citizen form",
            Documents => "intake documents",
            AttachPath => "intake attach path",
            Delivery => "intake delivery",
            DeliveryAddress => "intake delivery address",
            Review => "intake review",
            Done => "intake done",
            Citizens => "citizens",
            CitizenRecord => "citizen record",
            FormView => "form viewer",
            Menu => "menu",
            DeadLetters => "failed sends",
            Prompt => "prompt",
            CommandLine => "command line",
            Payment => "fee payment",
            Dialog => "action dialog",
            Viewer => "attachment viewer",
            Exercises => "exercises",
            Activation => "account activation",
            DigitizeForm => "digitize form",
            Certify => "certification",
            CertifyBook => "certification books",
            Help => "help",
            Login => "login",
            Leave => "leave",
        }
    }
}

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Quit,
    Help,
    CommandLine,
    Filter,
    Refresh,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Tab5,
    Tab6,
    Logout,
    /// Stops the newest request the user waits for.
    Cancel,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Close,
    NextQueue,
    PrevQueue,
    ClearFilter,
    KeepFilter,
    Actions,
    Form,
    Download,
    /// Takes the fee of the open dossier.
    Pay,
    /// Shows the notices sent to the open dossier's applicant.
    Notices,
    Choose,
    Confirm,
    Complete,
    FieldFilter,
    LevelFilter,
    NextField,
    PrevField,
    NextChoice,
    PrevChoice,
    Toggle,
    Lookup,
    NextStep,
    Create,
    Paper,
    Attach,
    Detach,
    Upload,
    Address,
    Tick,
    Submit,
    Receipt,
    NewDossier,
    RetryCash,
    Resume,
    Discard,
    NewCitizen,
    Reissue,
    Save,
    Print,
    /// Exports the register of dossiers of a period (the statistics pane).
    ExportRegister,
    /// The statistics pane: counts instead of rates, and back.
    ToggleCounts,
    LogIn,
    ShowHint,
    PlayCitizen,
    Answer1,
    Answer2,
    Answer3,
    /// Empties the text field that has the focus, whichever it is.
    ClearField,
    /// Leaves anyway (quits or logs out) although something is unsent or typed.
    Leave,
    /// Shows the dossier's attachments inside the terminal.
    View,
    /// Opens an attachment with the system viewer (or the configured program).
    OpenExternal,
    ZoomIn,
    ZoomOut,
    /// Back to the whole picture.
    ZoomReset,
    PanLeft,
    PanRight,
    NextAttachment,
    PrevAttachment,
    /// Stays: quitting or logging out is not done after all.
    Stay,
    /// Issue 16: digitizes a document part (its scan and metadata).
    Digitize,
    /// Reuses the applicant's stored document for a part (again: the next one, or none).
    Reuse,
    /// Scans a page with the scanner.
    Scan,
    /// Issue 21: the certification books, and back to the entry.
    Book,
    /// Issue 21: a new certification for another applicant (the kind stays).
    NewEntry,
}

/// One row of the built-in table.
struct Binding {
    command: Command,
    /// The name used in the config's `[keys]` table and in the catalogs (`key.<name>`
    /// in the help, `hint.<name>` in the hint bar).
    name: &'static str,
    context: Context,
    keys: &'static [&'static str],
    /// Shown in the hint bar of this context.
    hint: bool,
}

const fn bind(
    command: Command,
    name: &'static str,
    context: Context,
    keys: &'static [&'static str],
    hint: bool,
) -> Binding {
    Binding {
        command,
        name,
        context,
        keys,
        hint,
    }
}

use Command as C;
use Context as X;

/// The defaults: conventions of k9s, lazygit and gitui. Ctrl-H is never bound: input
/// methods send it as Backspace. Within a context one key may serve two commands only
/// when the pane never enables both at once (Enter looks a citizen up on the lookup row
/// and goes on from the others); the first enabled one in this order wins.
const DEFAULTS: &[Binding] = &[
    // Everywhere in the panes.
    bind(C::Help, "help", X::Global, &["?", "f1"], true),
    bind(C::CommandLine, "command_line", X::Global, &[":"], false),
    bind(C::Quit, "quit", X::Global, &["q", "ctrl-c"], true),
    bind(C::Tab1, "tab_inbox", X::Global, &["1", "alt-1"], false),
    bind(C::Tab2, "tab_intake", X::Global, &["2", "alt-2"], false),
    bind(C::Tab3, "tab_citizens", X::Global, &["3", "alt-3"], false),
    bind(C::Tab4, "tab_lookup", X::Global, &["4", "alt-4"], false),
    bind(C::Tab5, "tab_stats", X::Global, &["5", "alt-5"], false),
    bind(C::Tab6, "tab_certify", X::Global, &["6", "alt-6"], false),
    bind(C::Refresh, "refresh", X::Global, &["r", "f5"], true),
    bind(C::Logout, "logout", X::Global, &["ctrl-l"], false),
    bind(C::Cancel, "cancel", X::Global, &["esc"], true),
    // The inbox.
    bind(C::Filter, "filter", X::Inbox, &["/"], true),
    bind(C::Up, "up", X::Inbox, &["up", "k"], false),
    bind(C::Down, "down", X::Inbox, &["down", "j"], false),
    bind(C::PageUp, "page_up", X::Inbox, &["pageup", "ctrl-b"], false),
    bind(
        C::PageDown,
        "page_down",
        X::Inbox,
        &["pagedown", "ctrl-f"],
        false,
    ),
    bind(C::Top, "top", X::Inbox, &["home", "g"], false),
    bind(C::Bottom, "bottom", X::Inbox, &["end", "shift-g"], false),
    bind(C::Open, "open", X::Inbox, &["enter"], true),
    bind(
        C::NextQueue,
        "next_queue",
        X::Inbox,
        &["right", "l", "tab"],
        true,
    ),
    bind(
        C::PrevQueue,
        "prev_queue",
        X::Inbox,
        &["left", "h", "backtab"],
        false,
    ),
    bind(C::Actions, "actions", X::Inbox, &["a"], true),
    bind(C::Form, "form", X::Inbox, &["f"], false),
    // A filter kept with Enter is still on the list: Esc takes it off there too.
    bind(C::ClearFilter, "clear_filter", X::Inbox, &["esc"], true),
    // The inbox's filter: what is not a command is typed.
    bind(C::KeepFilter, "keep_filter", X::Filter, &["enter"], true),
    bind(C::ClearFilter, "clear_filter", X::Filter, &["esc"], true),
    bind(C::NextQueue, "next_queue", X::Filter, &["tab"], true),
    bind(C::PrevQueue, "prev_queue", X::Filter, &["backtab"], false),
    bind(C::Up, "up", X::Filter, &["up"], false),
    bind(C::Down, "down", X::Filter, &["down"], false),
    // A dossier's detail.
    bind(C::Back, "back", X::Detail, &["esc"], true),
    bind(C::Up, "up", X::Detail, &["up", "k"], false),
    bind(C::Down, "down", X::Detail, &["down", "j"], false),
    bind(C::PageUp, "page_up", X::Detail, &["pageup"], false),
    bind(C::PageDown, "page_down", X::Detail, &["pagedown"], false),
    bind(C::Actions, "actions", X::Detail, &["a"], true),
    bind(C::Form, "form", X::Detail, &["f"], true),
    bind(C::Download, "download", X::Detail, &["d"], true),
    bind(C::Pay, "pay", X::Detail, &["p"], true),
    bind(C::Digitize, "digitize", X::Detail, &["s"], true),
    bind(C::View, "view", X::Detail, &["v"], true),
    bind(C::OpenExternal, "open_external", X::Detail, &["o"], true),
    bind(C::Notices, "notices", X::Detail, &["n"], false),
    // The statistics pane.
    bind(C::ExportRegister, "export_register", X::Stats, &["x"], true),
    bind(C::Up, "up", X::Stats, &["up", "k"], false),
    bind(C::Down, "down", X::Stats, &["down", "j"], false),
    bind(C::ToggleCounts, "counts", X::Stats, &["c"], true),
    // The lookup tab: codes begin with digits, so every character is text.
    bind(C::Open, "open", X::Lookup, &["enter"], true),
    bind(C::Back, "back", X::Lookup, &["esc"], true),
    // The intake wizard, step by step.
    bind(C::Resume, "resume", X::DraftOffer, &["enter"], true),
    bind(
        C::Discard,
        "discard",
        X::DraftOffer,
        &["delete", "backspace"],
        true,
    ),
    bind(C::Back, "back", X::DraftOffer, &["esc"], true),
    bind(C::Up, "up", X::Procedure, &["up"], false),
    bind(C::Down, "down", X::Procedure, &["down"], false),
    bind(C::PageUp, "page_up", X::Procedure, &["pageup"], false),
    bind(C::PageDown, "page_down", X::Procedure, &["pagedown"], false),
    bind(C::Choose, "choose", X::Procedure, &["enter"], true),
    bind(
        C::FieldFilter,
        "field_filter",
        X::Procedure,
        &["ctrl-f"],
        true,
    ),
    bind(
        C::LevelFilter,
        "level_filter",
        X::Procedure,
        &["ctrl-l"],
        true,
    ),
    bind(C::Back, "back", X::Procedure, &["esc"], true),
    bind(C::Up, "up", X::CasePicker, &["up"], false),
    bind(C::Down, "down", X::CasePicker, &["down"], false),
    bind(C::Choose, "choose", X::CasePicker, &["enter"], true),
    bind(C::Back, "back", X::CasePicker, &["esc"], true),
    bind(C::Up, "up", X::Applicant, &["up"], false),
    bind(C::Down, "down", X::Applicant, &["down"], false),
    bind(
        C::NextField,
        "next_field",
        X::Applicant,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::Applicant,
        &["backtab", "up"],
        false,
    ),
    // The submitter row: ← is "in person", → "authorized", as the row reads left to
    // right and as the hint "←/→ to choose" says; Space switches.
    bind(C::Toggle, "toggle", X::Applicant, &["space"], true),
    bind(C::PrevChoice, "prev_choice", X::Applicant, &["left"], false),
    bind(
        C::NextChoice,
        "next_choice",
        X::Applicant,
        &["right"],
        false,
    ),
    bind(C::Lookup, "lookup", X::Applicant, &["enter"], true),
    bind(C::NextStep, "next_step", X::Applicant, &["enter"], true),
    bind(C::Back, "back", X::Applicant, &["esc"], true),
    bind(
        C::NextField,
        "next_field",
        X::CitizenForm,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::CitizenForm,
        &["backtab", "up"],
        false,
    ),
    bind(C::Toggle, "toggle", X::CitizenForm, &["space"], true),
    bind(
        C::PrevChoice,
        "prev_choice",
        X::CitizenForm,
        &["left"],
        false,
    ),
    bind(
        C::NextChoice,
        "next_choice",
        X::CitizenForm,
        &["right"],
        false,
    ),
    bind(C::Create, "create", X::CitizenForm, &["enter"], true),
    bind(C::Back, "back", X::CitizenForm, &["esc"], true),
    bind(C::Up, "up", X::Documents, &["up", "k", "backtab"], false),
    bind(C::Down, "down", X::Documents, &["down", "j", "tab"], false),
    bind(C::Paper, "paper", X::Documents, &["space", "g"], true),
    bind(C::Attach, "attach", X::Documents, &["a", "t"], true),
    bind(C::Detach, "detach", X::Documents, &["x", "delete"], true),
    bind(C::NextStep, "next_step", X::Documents, &["enter"], true),
    bind(C::Back, "back", X::Documents, &["esc"], true),
    // After Enter and Esc: on a narrow screen the hint bar keeps those, and the store's
    // offer names its own key in its line.
    bind(C::Digitize, "digitize", X::Documents, &["s"], true),
    bind(C::Reuse, "reuse", X::Documents, &["u"], true),
    bind(C::Complete, "complete", X::AttachPath, &["tab"], true),
    bind(C::Upload, "upload", X::AttachPath, &["enter"], true),
    bind(C::Back, "back", X::AttachPath, &["esc"], true),
    bind(
        C::PrevChoice,
        "prev_choice",
        X::Delivery,
        &["up", "left", "k"],
        false,
    ),
    bind(
        C::NextChoice,
        "next_choice",
        X::Delivery,
        &["down", "right", "j"],
        true,
    ),
    bind(C::Address, "address", X::Delivery, &["tab"], true),
    bind(C::NextStep, "next_step", X::Delivery, &["enter"], true),
    bind(C::Back, "back", X::Delivery, &["esc"], true),
    bind(
        C::PrevField,
        "prev_field",
        X::DeliveryAddress,
        &["backtab", "up"],
        false,
    ),
    bind(
        C::NextStep,
        "next_step",
        X::DeliveryAddress,
        &["enter"],
        true,
    ),
    bind(C::Back, "back", X::DeliveryAddress, &["esc"], true),
    bind(
        C::NextField,
        "next_field",
        X::Review,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::Review,
        &["backtab", "up"],
        false,
    ),
    bind(C::PrevChoice, "prev_choice", X::Review, &["left"], false),
    bind(
        C::NextChoice,
        "next_choice",
        X::Review,
        &["right", "space"],
        true,
    ),
    bind(C::Tick, "tick", X::Review, &["space"], true),
    bind(C::Submit, "submit", X::Review, &["enter"], true),
    bind(C::Back, "back", X::Review, &["esc"], true),
    bind(C::Receipt, "receipt", X::Done, &["enter", "r"], true),
    // The receipt straight to paper, as PDF: printed (or saved when no printer is set up).
    bind(C::Print, "print", X::Done, &["p"], true),
    // In F1 only: at 80 columns the hint bar keeps room for Esc while a request runs.
    bind(C::Save, "save", X::Done, &["s"], false),
    bind(C::NewDossier, "new_dossier", X::Done, &["n"], true),
    bind(C::Open, "open", X::Done, &["o"], true),
    bind(C::RetryCash, "retry_cash", X::Done, &["c"], true),
    bind(C::Back, "back", X::Done, &["esc"], false),
    // The citizens pane.
    bind(C::Up, "up", X::Citizens, &["up"], false),
    bind(C::Down, "down", X::Citizens, &["down"], false),
    bind(C::Lookup, "lookup", X::Citizens, &["enter"], true),
    bind(C::NewCitizen, "new_citizen", X::Citizens, &["ctrl-n"], true),
    bind(C::Back, "back", X::Citizens, &["esc"], true),
    bind(C::Up, "up", X::CitizenRecord, &["up", "k"], false),
    bind(C::Down, "down", X::CitizenRecord, &["down", "j"], false),
    bind(C::Reissue, "reissue", X::CitizenRecord, &["a"], true),
    bind(C::Open, "open", X::CitizenRecord, &["enter"], true),
    bind(
        C::Back,
        "back",
        X::CitizenRecord,
        &["esc", "backspace"],
        true,
    ),
    // Issue 21: the certification pane. Enter goes on (looks the number up, shows the
    // fee, takes it in cash, then starts the applicant's next paper); ←/→ choose the kind
    // on its row; the rest are Ctrl keys, as every row is typed in.
    bind(
        C::NextField,
        "next_field",
        X::Certify,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::Certify,
        &["backtab", "up"],
        false,
    ),
    bind(C::PrevChoice, "prev_choice", X::Certify, &["left"], false),
    bind(C::NextChoice, "next_choice", X::Certify, &["right"], true),
    bind(C::Confirm, "confirm", X::Certify, &["enter"], true),
    bind(C::Print, "print", X::Certify, &["ctrl-p"], true),
    bind(C::NewEntry, "new_entry", X::Certify, &["ctrl-n"], true),
    bind(C::Book, "book", X::Certify, &["ctrl-b"], true),
    bind(C::Back, "back", X::Certify, &["esc"], true),
    bind(C::ClearField, "clear_field", X::Certify, &["ctrl-u"], false),
    bind(C::Up, "up", X::CertifyBook, &["up"], false),
    bind(C::Down, "down", X::CertifyBook, &["down"], false),
    bind(
        C::PageDown,
        "page_down",
        X::CertifyBook,
        &["pagedown"],
        false,
    ),
    bind(C::PageUp, "page_up", X::CertifyBook, &["pageup"], false),
    bind(C::Open, "open", X::CertifyBook, &["enter"], true),
    bind(C::Book, "book", X::CertifyBook, &["ctrl-b"], true),
    bind(C::Back, "back", X::CertifyBook, &["esc"], true),
    bind(
        C::ClearField,
        "clear_field",
        X::CertifyBook,
        &["ctrl-u"],
        false,
    ),
    // Overlays.
    bind(C::Up, "up", X::FormView, &["up", "k"], false),
    bind(C::Down, "down", X::FormView, &["down", "j"], false),
    bind(C::PageUp, "page_up", X::FormView, &["pageup"], false),
    bind(C::PageDown, "page_down", X::FormView, &["pagedown"], false),
    bind(C::Save, "save", X::FormView, &["s"], true),
    bind(C::Print, "print", X::FormView, &["p"], true),
    bind(C::Close, "close", X::FormView, &["esc", "q"], true),
    bind(C::Up, "up", X::Menu, &["up", "k"], false),
    bind(C::Down, "down", X::Menu, &["down", "j"], false),
    bind(C::Choose, "choose", X::Menu, &["enter"], true),
    bind(C::Close, "close", X::Menu, &["esc"], true),
    bind(C::Up, "up", X::DeadLetters, &["up", "k"], false),
    bind(C::Down, "down", X::DeadLetters, &["down", "j"], false),
    bind(C::Choose, "choose", X::DeadLetters, &["enter"], true),
    bind(
        C::Discard,
        "discard",
        X::DeadLetters,
        &["d", "delete"],
        true,
    ),
    bind(C::Close, "close", X::DeadLetters, &["esc"], true),
    bind(C::Confirm, "confirm", X::Prompt, &["enter"], true),
    bind(C::Close, "close", X::Prompt, &["esc"], true),
    bind(C::Confirm, "confirm", X::CommandLine, &["enter"], true),
    bind(C::Complete, "complete", X::CommandLine, &["tab"], true),
    bind(C::Close, "close", X::CommandLine, &["esc"], true),
    bind(C::PrevChoice, "prev_choice", X::Payment, &["up"], false),
    bind(
        C::NextChoice,
        "next_choice",
        X::Payment,
        &["down", "tab"],
        true,
    ),
    bind(C::Confirm, "confirm", X::Payment, &["enter"], true),
    bind(C::Close, "close", X::Payment, &["esc"], true),
    bind(
        C::NextField,
        "next_field",
        X::Dialog,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::Dialog,
        &["backtab", "up"],
        false,
    ),
    bind(C::PrevChoice, "prev_choice", X::Dialog, &["left"], false),
    bind(C::NextChoice, "next_choice", X::Dialog, &["right"], true),
    bind(C::Confirm, "confirm", X::Dialog, &["enter"], true),
    bind(C::Back, "back", X::Dialog, &["esc"], true),
    bind(C::Close, "close", X::Dialog, &["esc"], true),
    bind(C::Cancel, "cancel", X::Dialog, &["esc"], true),
    // The attachment viewer: zoom, move over the picture, page through the dossier's
    // attachments, open the file with the system viewer or save it.
    bind(C::ZoomIn, "zoom_in", X::Viewer, &["+", "="], true),
    bind(C::ZoomOut, "zoom_out", X::Viewer, &["-"], true),
    bind(C::ZoomReset, "zoom_reset", X::Viewer, &["0"], false),
    bind(C::Up, "up", X::Viewer, &["up", "k"], false),
    bind(C::Down, "down", X::Viewer, &["down", "j"], false),
    bind(C::PanLeft, "pan_left", X::Viewer, &["left", "h"], false),
    bind(C::PanRight, "pan_right", X::Viewer, &["right", "l"], false),
    bind(
        C::NextAttachment,
        "next_attachment",
        X::Viewer,
        &["n", "pagedown"],
        true,
    ),
    bind(
        C::PrevAttachment,
        "prev_attachment",
        X::Viewer,
        &["p", "pageup"],
        false,
    ),
    bind(C::OpenExternal, "open_external", X::Viewer, &["o"], true),
    bind(C::Save, "save", X::Viewer, &["s"], true),
    // Overlays have no global keys: the viewer's own help shows its keys.
    bind(C::Help, "help", X::Viewer, &["?", "f1"], true),
    bind(C::Close, "close", X::Viewer, &["esc", "q"], true),
    bind(C::Up, "up", X::Exercises, &["up", "k"], false),
    bind(C::Down, "down", X::Exercises, &["down", "j"], false),
    bind(C::ShowHint, "show_hint", X::Exercises, &["h"], true),
    bind(C::Answer1, "answer_1", X::Exercises, &["1"], true),
    bind(C::Answer2, "answer_2", X::Exercises, &["2"], false),
    bind(C::Answer3, "answer_3", X::Exercises, &["3"], false),
    bind(C::PlayCitizen, "play_citizen", X::Exercises, &["c"], true),
    bind(C::Close, "close", X::Exercises, &["esc", "q"], true),
    bind(
        C::NextField,
        "next_field",
        X::Activation,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::Activation,
        &["backtab", "up"],
        false,
    ),
    bind(C::Confirm, "confirm", X::Activation, &["enter"], true),
    bind(C::Close, "close", X::Activation, &["esc"], true),
    bind(C::Cancel, "cancel", X::Activation, &["esc"], true),
    // Issue 16: the digitize form. Tab moves between the rows, so the path completes
    // with Ctrl-T; Ctrl-S scans.
    bind(
        C::NextField,
        "next_field",
        X::DigitizeForm,
        &["tab", "down"],
        true,
    ),
    bind(
        C::PrevField,
        "prev_field",
        X::DigitizeForm,
        &["backtab", "up"],
        false,
    ),
    bind(
        C::PrevChoice,
        "prev_choice",
        X::DigitizeForm,
        &["left"],
        false,
    ),
    bind(
        C::NextChoice,
        "next_choice",
        X::DigitizeForm,
        &["right"],
        true,
    ),
    bind(C::Scan, "scan", X::DigitizeForm, &["ctrl-s"], true),
    bind(C::Complete, "complete", X::DigitizeForm, &["ctrl-t"], false),
    bind(C::Confirm, "confirm", X::DigitizeForm, &["enter"], true),
    bind(C::Close, "close", X::DigitizeForm, &["esc"], true),
    bind(C::Cancel, "cancel", X::DigitizeForm, &["esc"], true),
    bind(
        C::ClearField,
        "clear_field",
        X::DigitizeForm,
        &["ctrl-u"],
        false,
    ),
    // Login.
    bind(C::NextField, "next_field", X::Login, &["tab", "down"], true),
    bind(
        C::PrevField,
        "prev_field",
        X::Login,
        &["backtab", "up"],
        false,
    ),
    bind(C::PrevChoice, "prev_choice", X::Login, &["left"], false),
    bind(C::NextChoice, "next_choice", X::Login, &["right"], true),
    bind(C::LogIn, "log_in", X::Login, &["enter"], true),
    bind(C::Cancel, "cancel", X::Login, &["esc"], true),
    // Leaving with something unsent or typed: Enter (or the key that asked) leaves, Esc
    // stays.
    bind(C::Leave, "leave", X::Leave, &["enter"], true),
    bind(C::Stay, "stay", X::Leave, &["esc"], true),
    // One way to empty a field, in every context with a text field (the text area's own
    // Ctrl-U was its undo: it took back a letter here, a whole path there, nothing in a
    // field that had no history). Not hinted: the bar is short; F1 lists it.
    bind(C::ClearField, "clear_field", X::Filter, &["ctrl-u"], false),
    bind(C::ClearField, "clear_field", X::Lookup, &["ctrl-u"], false),
    bind(
        C::ClearField,
        "clear_field",
        X::Procedure,
        &["ctrl-u"],
        false,
    ),
    bind(
        C::ClearField,
        "clear_field",
        X::Applicant,
        &["ctrl-u"],
        false,
    ),
    bind(
        C::ClearField,
        "clear_field",
        X::CitizenForm,
        &["ctrl-u"],
        false,
    ),
    bind(
        C::ClearField,
        "clear_field",
        X::AttachPath,
        &["ctrl-u"],
        false,
    ),
    bind(
        C::ClearField,
        "clear_field",
        X::DeliveryAddress,
        &["ctrl-u"],
        false,
    ),
    bind(C::ClearField, "clear_field", X::Review, &["ctrl-u"], false),
    bind(
        C::ClearField,
        "clear_field",
        X::Citizens,
        &["ctrl-u"],
        false,
    ),
    bind(C::ClearField, "clear_field", X::Prompt, &["ctrl-u"], false),
    bind(
        C::ClearField,
        "clear_field",
        X::CommandLine,
        &["ctrl-u"],
        false,
    ),
    bind(C::ClearField, "clear_field", X::Payment, &["ctrl-u"], false),
    bind(C::ClearField, "clear_field", X::Dialog, &["ctrl-u"], false),
    bind(
        C::ClearField,
        "clear_field",
        X::Activation,
        &["ctrl-u"],
        false,
    ),
    bind(C::ClearField, "clear_field", X::Login, &["ctrl-u"], false),
];

/// A key as written in the config: `q`, `?`, `ctrl-c`, `f5`, `shift-tab`, `pagedown`…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` restricted to what keymaps use, with an order for stable help output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
}

impl Key {
    /// Parses the config's notation; `None` when it is not a key.
    pub fn parse(text: &str) -> Option<Key> {
        let lower = text.trim();
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = lower;
        loop {
            let l = rest.to_ascii_lowercase();
            if l.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if l.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if l.starts_with("shift-") && rest.len() > 6 {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" if shift => KeyCodeOrd::BackTab,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pageup" | "pgup" => KeyCodeOrd::PageUp,
            "pagedown" | "pgdn" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "space" => KeyCodeOrd::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().ok()?;
                if !(1..=12).contains(&n) {
                    return None;
                }
                KeyCodeOrd::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                // `shift-g` is `G`: terminals report the shifted character.
                KeyCodeOrd::Char(if shift { c.to_ascii_uppercase() } else { c })
            }
        };
        // Ctrl-H arrives as Backspace from some input methods; it may not be bound.
        if ctrl && code == KeyCodeOrd::Char('h') {
            return None;
        }
        Some(Key { code, ctrl, alt })
    }

    /// The key a terminal event stands for, if keymaps can name it.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        // Ctrl-M and Ctrl-J are Enter to a terminal (and to some input methods).
        if ctrl && matches!(event.code, KeyCode::Char('m') | KeyCode::Char('j')) {
            return Some(Key {
                code: KeyCodeOrd::Enter,
                ctrl: false,
                alt: false,
            });
        }
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }
}

impl Key {
    /// A character without Ctrl or Alt: text wherever a field has the focus.
    pub fn is_plain(&self) -> bool {
        matches!(self.code, KeyCodeOrd::Char(_)) && !self.ctrl && !self.alt
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => f.write_str("Enter"),
            KeyCodeOrd::Esc => f.write_str("Esc"),
            KeyCodeOrd::Tab => f.write_str("Tab"),
            KeyCodeOrd::BackTab => f.write_str("Shift-Tab"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::PageUp => f.write_str("PgUp"),
            KeyCodeOrd::PageDown => f.write_str("PgDn"),
            KeyCodeOrd::Home => f.write_str("Home"),
            KeyCodeOrd::End => f.write_str("End"),
            KeyCodeOrd::Backspace => f.write_str("Backspace"),
            KeyCodeOrd::Delete => f.write_str("Del"),
        }
    }
}

/// A config override that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("unknown command '{0}' in [keys] (the commands are listed in config.example.toml)")]
    UnknownCommand(String),
    #[error("'{key}' for '{command}' is not a key (examples: q, ctrl-r, f5, shift-tab)")]
    BadKey { command: String, key: String },
    #[error(
        "'{key}' for '{command}' is already '{other}' in the {context} pane: choose another key for one of them"
    )]
    Conflict {
        command: String,
        key: String,
        other: String,
        context: &'static str,
    },
    #[error(
        "'{key}' for '{command}' would stop that letter being typed in the {context} pane: choose a key with ctrl- or alt-, or a named key (f2, pageup…)"
    )]
    TypedKey {
        command: String,
        key: String,
        context: &'static str,
    },
}

impl KeymapError {
    /// The `[keys]` entry at fault, to name its line.
    pub fn command(&self) -> &str {
        match self {
            KeymapError::UnknownCommand(c)
            | KeymapError::BadKey { command: c, .. }
            | KeymapError::Conflict { command: c, .. }
            | KeymapError::TypedKey { command: c, .. } => c,
        }
    }
}

/// One command of one context with its keys: a line of the help overlay or the hint bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    pub context: Context,
    pub command: Command,
    pub name: &'static str,
    pub keys: Vec<Key>,
    pub hint: bool,
}

/// The active keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    lines: Vec<HelpLine>,
    lookup: BTreeMap<(Context, Key), Vec<Command>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::with_overrides(&BTreeMap::new()).expect("the built-in keymap is valid")
    }
}

/// Whether `key` is a default key of the command `name` in some context.
fn default_of(name: &str, key: &Key) -> bool {
    DEFAULTS
        .iter()
        .any(|b| b.name == name && b.keys.iter().any(|t| Key::parse(t).as_ref() == Some(key)))
}

/// Whether `name` is a command of some context where keys are not typed as text.
fn works_without_typing(name: &str) -> bool {
    DEFAULTS
        .iter()
        .any(|b| b.name == name && !b.context.types_text())
}

impl Keymap {
    /// The defaults with `overrides` (command name → keys) applied. An override replaces
    /// the command's keys in every context it appears in.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if !DEFAULTS.iter().any(|b| b.name == name) {
                return Err(KeymapError::UnknownCommand(name.clone()));
            }
        }
        let mut lines = Vec::new();
        let mut lookup: BTreeMap<(Context, Key), Vec<Command>> = BTreeMap::new();
        for b in DEFAULTS {
            let defaults: Vec<Key> = b
                .keys
                .iter()
                .map(|t| Key::parse(t).expect("built-in keys parse"))
                .collect();
            let keys: Vec<Key> = match overrides.get(b.name) {
                Some(texts) => {
                    let mut keys = Vec::new();
                    for t in texts {
                        let key = Key::parse(t).ok_or_else(|| KeymapError::BadKey {
                            command: b.name.to_owned(),
                            key: t.clone(),
                        })?;
                        if key.is_plain() && b.context.types_text() && !defaults.contains(&key) {
                            // A letter is text where letters are typed. It is no mistake
                            // when the command also lives in a pane without typing (`down
                            // = ["down", "j"]` moves the inbox, and the filter still
                            // types j); it is when the letter could work nowhere.
                            if works_without_typing(b.name) {
                                continue;
                            }
                            return Err(KeymapError::TypedKey {
                                command: b.name.to_owned(),
                                key: t.clone(),
                                context: b.context.name(),
                            });
                        }
                        // A default of this command in another pane, restated, that this
                        // pane gives to another command (`open = ["enter", "o"]`: Enter is
                        // the done screen's receipt): the restated key stays where it was.
                        if !defaults.contains(&key)
                            && default_of(b.name, &key)
                            && DEFAULTS.iter().any(|d| {
                                d.context == b.context
                                    && d.name != b.name
                                    && d.keys.iter().any(|t| Key::parse(t) == Some(key))
                            })
                        {
                            continue;
                        }
                        keys.push(key);
                    }
                    // Every key given was a letter here: the pane keeps its own.
                    if keys.is_empty() { defaults } else { keys }
                }
                None => defaults,
            };
            for key in &keys {
                lookup.entry((b.context, *key)).or_default().push(b.command);
            }
            lines.push(HelpLine {
                context: b.context,
                command: b.command,
                name: b.name,
                keys,
                hint: b.hint,
            });
        }
        let map = Keymap { lines, lookup };
        map.check_conflicts(overrides)?;
        Ok(map)
    }

    /// Two commands that can be reached in one context by one key, where an override made
    /// them share it: one of them would never run. (The defaults share a key only between
    /// commands a pane never enables together; a global key a pane uses for its own
    /// command is the pane's there.)
    fn check_conflicts(
        &self,
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<(), KeymapError> {
        let default_has = |context: Context, name: &str, key: &Key| {
            DEFAULTS
                .iter()
                .filter(|b| b.context == context && b.name == name)
                .any(|b| b.keys.iter().any(|t| Key::parse(t).as_ref() == Some(key)))
        };
        let contexts: BTreeSet<Context> = self.lines.iter().map(|l| l.context).collect();
        for context in contexts {
            let mut seen: BTreeMap<Key, HelpLine> = BTreeMap::new();
            for line in self.visible(context) {
                for key in &line.keys {
                    let Some(other) = seen.get(key) else {
                        seen.insert(*key, line.clone());
                        continue;
                    };
                    if other.name == line.name {
                        continue;
                    }
                    let overridden = |l: &HelpLine| {
                        overrides.contains_key(l.name) && !default_has(l.context, l.name, key)
                    };
                    if overridden(&line) || overridden(other) {
                        let (command, other) = if overridden(&line) {
                            (line.name, other.name)
                        } else {
                            (other.name, line.name)
                        };
                        return Err(KeymapError::Conflict {
                            command: command.to_owned(),
                            key: key.to_string(),
                            other: other.to_owned(),
                            context: context.name(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The lines reachable in `context`: its own, then the global ones it inherits
    /// (without their plain characters where letters are the pane's own).
    fn visible(&self, context: Context) -> impl Iterator<Item = HelpLine> + '_ {
        let own = self
            .lines
            .iter()
            .filter(move |l| l.context == context)
            .cloned();
        let global = self
            .lines
            .iter()
            .filter(move |l| {
                l.context == Context::Global
                    && context != Context::Global
                    && context.inherits_global()
            })
            .map(move |l| HelpLine {
                keys: l
                    .keys
                    .iter()
                    .filter(|k| context.browses() || !k.is_plain())
                    .copied()
                    .collect(),
                ..l.clone()
            });
        own.chain(global)
    }

    /// The command `event` means in `context` now: the first of the context's enabled
    /// commands bound to it, else the first enabled global one. `None`: the key is not a
    /// command here (in a pane with a text field, it is text for the focused field).
    pub fn resolve(
        &self,
        context: Context,
        event: &KeyEvent,
        enabled: &[Command],
    ) -> Option<Command> {
        let key = Key::from_event(event)?;
        let first_enabled = |ctx: Context| {
            self.lookup
                .get(&(ctx, key))
                .and_then(|cmds| cmds.iter().find(|c| enabled.contains(c)))
                .copied()
        };
        if let Some(command) = first_enabled(context) {
            return Some(command);
        }
        if context == Context::Global
            || !context.inherits_global()
            || (key.is_plain() && !context.browses())
        {
            return None;
        }
        first_enabled(Context::Global)
    }

    /// The lines of the help overlay for `context` with the pane's `enabled` commands:
    /// each with the keys that reach it there, own commands first.
    pub fn help(&self, context: Context, enabled: &[Command]) -> Vec<HelpLine> {
        let mut taken: BTreeSet<Key> = BTreeSet::new();
        let mut out = Vec::new();
        for mut line in self.visible(context) {
            if !enabled.contains(&line.command) {
                continue;
            }
            // A key an earlier enabled command takes does not reach this one.
            line.keys.retain(|k| !taken.contains(k));
            taken.extend(line.keys.iter().copied());
            if !line.keys.is_empty() {
                out.push(line);
            }
        }
        out
    }

    /// The hint bar of `context`: the hinted lines of its help. Where letters are the
    /// pane's own, of the global commands only help is hinted (the bar is short).
    pub fn hints(&self, context: Context, enabled: &[Command]) -> Vec<HelpLine> {
        self.help(context, enabled)
            .into_iter()
            .filter(|l| {
                l.hint
                    && (l.context == context
                        || context.browses()
                        || matches!(l.command, Command::Help | Command::Cancel))
            })
            .collect()
    }

    /// The first key of `command` in `context` as the screen names it (for instruction
    /// text that says which key to press), or "—" when none reaches it.
    pub fn key_of(&self, context: Context, command: Command) -> String {
        self.visible(context)
            .find(|l| l.command == command)
            .and_then(|l| l.keys.first().map(|k| k.to_string()))
            .unwrap_or_else(|| "—".to_owned())
    }

    /// Every command name, for the catalogs' test and config docs.
    pub fn names() -> impl Iterator<Item = &'static str> {
        let mut seen = BTreeSet::new();
        DEFAULTS
            .iter()
            .map(|b| b.name)
            .filter(move |n| seen.insert(*n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    fn all() -> Vec<Command> {
        DEFAULTS.iter().map(|b| b.command).collect()
    }

    #[test]
    fn defaults_resolve_in_context_then_globally() {
        let map = Keymap::default();
        let on = all();
        let slash = ev(KeyCode::Char('/'), KeyModifiers::NONE);
        assert_eq!(
            map.resolve(Context::Inbox, &slash, &on),
            Some(Command::Filter)
        );
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.resolve(Context::Detail, &q, &on), Some(Command::Quit));
        let esc = ev(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(map.resolve(Context::Detail, &esc, &on), Some(Command::Back));
        let cc = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.resolve(Context::Inbox, &cc, &on), Some(Command::Quit));
    }

    #[test]
    fn in_a_typing_pane_letters_are_text_and_f1_is_help() {
        let map = Keymap::default();
        let on = all();
        for c in ['q', '?', '1', 'r', ':'] {
            let key = ev(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(map.resolve(Context::Procedure, &key, &on), None, "{c}");
        }
        let f1 = ev(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(
            map.resolve(Context::Procedure, &f1, &on),
            Some(Command::Help)
        );
        let alt2 = ev(KeyCode::Char('2'), KeyModifiers::ALT);
        assert_eq!(
            map.resolve(Context::Citizens, &alt2, &on),
            Some(Command::Tab2)
        );
        // The procedure step's Ctrl-L filters by level; logout is not reached there.
        let cl = ev(KeyCode::Char('l'), KeyModifiers::CONTROL);
        assert_eq!(
            map.resolve(Context::Procedure, &cl, &on),
            Some(Command::LevelFilter)
        );
        let help = map.help(Context::Procedure, &on);
        assert!(
            help.iter().all(|l| l.keys.iter().all(|k| !k.is_plain())),
            "{help:?}"
        );
        assert!(!help.iter().any(|l| l.command == Command::Logout));
    }

    #[test]
    fn a_disabled_command_leaves_its_key_to_the_next() {
        let map = Keymap::default();
        let enter = ev(KeyCode::Enter, KeyModifiers::NONE);
        let on = [Command::NextStep, Command::Back];
        assert_eq!(
            map.resolve(Context::Applicant, &enter, &on),
            Some(Command::NextStep)
        );
        let space = ev(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(map.resolve(Context::Review, &space, &on), None);
        let esc = ev(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(
            map.resolve(Context::Detail, &esc, &[Command::Cancel]),
            Some(Command::Cancel)
        );
    }

    #[test]
    fn overrides_replace_keys_and_name_bad_entries() {
        let on = all();
        let mut o = BTreeMap::new();
        o.insert("refresh".to_owned(), vec!["ctrl-r".to_owned()]);
        let map = Keymap::with_overrides(&o).unwrap();
        let r = ev(KeyCode::Char('r'), KeyModifiers::NONE);
        assert_eq!(map.resolve(Context::Inbox, &r, &on), None);
        let cr = ev(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(
            map.resolve(Context::Inbox, &cr, &on),
            Some(Command::Refresh)
        );

        o.insert("fly".to_owned(), vec!["x".to_owned()]);
        assert_eq!(
            Keymap::with_overrides(&o).unwrap_err(),
            KeymapError::UnknownCommand("fly".into())
        );
        let mut bad = BTreeMap::new();
        bad.insert("quit".to_owned(), vec!["hyper-q".to_owned()]);
        assert!(matches!(
            Keymap::with_overrides(&bad),
            Err(KeymapError::BadKey { .. })
        ));
    }

    #[test]
    fn an_override_onto_a_used_key_or_a_typed_letter_is_refused() {
        let mut o = BTreeMap::new();
        o.insert("attach".to_owned(), vec!["x".to_owned()]);
        let err = Keymap::with_overrides(&o).unwrap_err();
        assert!(
            matches!(&err, KeymapError::Conflict { command, other, .. } if command == "attach" && other == "detach"),
            "{err:?}"
        );
        assert_eq!(err.command(), "attach");
        let mut o = BTreeMap::new();
        o.insert("refresh".to_owned(), vec!["a".to_owned()]);
        assert!(matches!(
            Keymap::with_overrides(&o),
            Err(KeymapError::Conflict { .. })
        ));
        let mut o = BTreeMap::new();
        o.insert("field_filter".to_owned(), vec!["x".to_owned()]);
        let err = Keymap::with_overrides(&o).unwrap_err();
        assert!(matches!(err, KeymapError::TypedKey { .. }), "{err:?}");
        assert!(err.to_string().contains("intake procedure"), "{err}");
        // Restating a default is no conflict.
        let mut o = BTreeMap::new();
        o.insert(
            "next_field".to_owned(),
            vec!["tab".to_owned(), "down".to_owned()],
        );
        assert!(Keymap::with_overrides(&o).is_ok());
    }

    /// The inbox's letters restated (as configurations written for the inbox-only keymap
    /// did): accepted; the letter works where nothing is typed and stays text elsewhere.
    #[test]
    fn inbox_letters_restated_still_load_and_stay_text_where_typed() {
        let mut o = BTreeMap::new();
        for (name, keys) in [
            ("down", &["down", "j"][..]),
            ("up", &["up", "k"]),
            ("next_queue", &["right", "l", "tab"]),
            ("close", &["esc", "q"]),
            ("open", &["enter", "o"]),
        ] {
            o.insert(
                name.to_owned(),
                keys.iter().map(|k| (*k).to_owned()).collect(),
            );
        }
        let map = Keymap::with_overrides(&o).unwrap_or_else(|e| panic!("{e}"));
        let j = Key::parse("j").unwrap();
        let down = Key::parse("down").unwrap();
        assert!(
            map.lookup
                .get(&(Context::Inbox, j))
                .is_some_and(|c| c.contains(&Command::Down))
        );
        for (&(context, key), commands) in &map.lookup {
            if context.types_text() && key == j {
                assert!(!commands.contains(&Command::Down), "{context:?}: j is text");
            }
        }
        // Only letters, for a command of typing panes too: those panes keep their keys.
        let mut o = BTreeMap::new();
        o.insert("down".to_owned(), vec!["j".to_owned()]);
        let map = Keymap::with_overrides(&o).unwrap();
        assert!(
            map.lookup
                .iter()
                .any(|(&(context, key), commands)| context.types_text()
                    && key == down
                    && commands.contains(&Command::Down))
        );
    }

    #[test]
    fn ctrl_h_can_never_be_bound() {
        assert_eq!(Key::parse("ctrl-h"), None);
    }

    #[test]
    fn key_notation_round_trips_through_display() {
        assert_eq!(Key::parse("shift-tab").unwrap().to_string(), "Shift-Tab");
        assert_eq!(Key::parse("shift-g").unwrap().to_string(), "G");
        assert_eq!(Key::parse("F5").unwrap().to_string(), "F5");
        assert_eq!(Key::parse("ctrl-c").unwrap().to_string(), "Ctrl-c");
        assert_eq!(Key::parse("f13"), None);
    }

    #[test]
    fn help_lists_only_enabled_commands_context_first() {
        let map = Keymap::default();
        let help = map.help(Context::Detail, &all());
        assert_eq!(help[0].context, Context::Detail);
        assert!(help.iter().any(|l| l.name == "quit"));
        let few = map.help(Context::Detail, &[Command::Back, Command::Help]);
        let names: Vec<_> = few.iter().map(|l| l.name).collect();
        assert_eq!(names, ["back", "help"]);
        assert!(map.hints(Context::Inbox, &all()).iter().all(|l| l.hint));
    }
}
