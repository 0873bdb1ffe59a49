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
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Characters to underline from `column` (0: unknown, one caret); not serialised.
    #[serde(skip)]
    pub width: u32,
}

impl Position {
    /// A position at `line` and `column` (1-based), `width` characters wide.
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
    /// The stable kebab-case code (`unknown-key`) that CI scripts filter on.
    pub code: Code,
    /// `error` or `warning`: the code's level.
    pub level: Level,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file it is about, as the caller named it.
    pub file: String,
    /// Where in the file; absent when it is about the whole file. JSON puts its `line` and
    /// `column` directly in the diagnostic.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// What to do about it (the closest key, the right ID); absent when there is nothing to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `code`, at the code's level, without a hint.
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

    /// The same diagnostic with `hint`.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it is an error: errors make a model unusable and `check` exit 2.
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
