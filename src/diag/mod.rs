//! Located diagnostics: what went wrong, where, and what to do.
//!
//! Findings about input are never `Err`s: validation pushes [`Diagnostic`]s and goes on, so a
//! user sees every problem at once. Rendering to text (`path:line:col: level[code]: message`
//! with the source line and a caret) and to JSON lives here too, beneath every other layer.

pub mod codes;
pub mod render;
pub(crate) mod suggest;

use serde::Serialize;

pub use codes::{Code, Level};

/// A position in a source file, 1-based; `width` is how many characters to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub width: u32,
}

impl Position {
    pub fn new(line: u32, column: u32, width: u32) -> Position {
        Position {
            line,
            column,
            width,
        }
    }
}

/// One finding about an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub level: Level,
    pub message: String,
    pub file: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, file: &str, position: Option<Position>, message: String) -> Diagnostic {
        Diagnostic {
            code,
            level: code.level(),
            message,
            file: file.to_string(),
            position,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// `file:line:column: level[code]: message` on one line (no hint), as reports list them.
    pub fn one_line(&self) -> String {
        let place = match self.position {
            Some(p) => format!("{}:{}:{}", self.file, p.line, p.column),
            None => self.file.clone(),
        };
        format!(
            "{place}: {}[{}]: {}",
            self.level.label(),
            self.code.name(),
            self.message
        )
    }
}

/// Sorts diagnostics by file, then position, then code, for stable output.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.position, a.code, &a.message).cmp(&(&b.file, b.position, b.code, &b.message))
    });
}
