//! The exercises screen of training mode (`:exercises`): the course list with progress,
//! the selected exercise's task, steps and hint, the levels quiz, and a small form where
//! the trainee plays the citizen activating an account with the slip's code.

use crate::training::exercises::{EXERCISES, ExerciseId};
use crate::tui::state::{RequestId, text_field};
use ratatui_textarea::TextArea;

/// The exercises overlay.
#[derive(Debug, Clone)]
pub struct ExercisesView {
    /// Index into [`EXERCISES`].
    pub selected: usize,
    /// The last quiz answer's verdict: right (`true`) or the explanation of a wrong one.
    pub verdict: Option<(bool, String)>,
    /// Open while the trainee plays the citizen activating an account.
    pub activation: Option<ActivationForm>,
}

impl ExercisesView {
    /// Opens on `current` (the first exercise not done), or on the first.
    pub fn new(current: Option<ExerciseId>) -> ExercisesView {
        let selected = current
            .and_then(|id| EXERCISES.iter().position(|e| e.id == id))
            .unwrap_or(0);
        ExercisesView {
            selected,
            verdict: None,
            activation: None,
        }
    }

    pub fn exercise(&self) -> ExerciseId {
        EXERCISES[self.selected.min(EXERCISES.len() - 1)].id
    }
}

/// Which field of the activation form has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationField {
    Number,
    Code,
    Password,
}

/// The citizen's side of an activation, as the portal's page asks for it.
#[derive(Debug, Clone)]
pub struct ActivationForm {
    pub number: TextArea<'static>,
    pub code: TextArea<'static>,
    pub password: TextArea<'static>,
    pub focus: ActivationField,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
}

impl ActivationForm {
    /// Prefilled with the number of the account the trainee just made, when known.
    pub fn new(number: Option<&str>) -> ActivationForm {
        let mut number_field = text_field();
        if let Some(n) = number {
            number_field.insert_str(n);
        }
        let mut password = text_field();
        password.set_mask_char('•');
        ActivationForm {
            focus: if number.is_some() {
                ActivationField::Code
            } else {
                ActivationField::Number
            },
            number: number_field,
            code: text_field(),
            password,
            pending: None,
            error: None,
        }
    }

    pub fn field_mut(&mut self) -> &mut TextArea<'static> {
        match self.focus {
            ActivationField::Number => &mut self.number,
            ActivationField::Code => &mut self.code,
            ActivationField::Password => &mut self.password,
        }
    }

    pub fn next(&mut self, forward: bool) {
        use ActivationField::*;
        self.focus = match (self.focus, forward) {
            (Number, true) | (Password, false) => Code,
            (Code, true) | (Number, false) => Password,
            (Password, true) | (Code, false) => Number,
        };
    }
}
