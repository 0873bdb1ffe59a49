//! Diagnostics as people read them: `path:line:col: level[code]: message`, the source line,
//! a caret under the problem, and a hint.

use super::{Diagnostic, Level};

/// Terminal styling hooks, so this layer stays free of any terminal crate's policy.
pub struct Styles {
    /// How `error[...]` and an error's caret are painted.
    pub error: anstyle::Style,
    /// How `warning[...]` and a warning's caret are painted.
    pub warning: anstyle::Style,
    /// How the word `hint` is painted.
    pub note: anstyle::Style,
    /// How the `path:line:col` location is painted.
    pub emphasis: anstyle::Style,
}

fn paint(style: anstyle::Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Renders one diagnostic; `source` is the file's text when it is available.
pub fn render(diagnostic: &Diagnostic, source: Option<&str>, styles: &Styles) -> String {
    let level_style = match diagnostic.level {
        Level::Error => styles.error,
        Level::Warning => styles.warning,
    };
    let location = match diagnostic.position {
        Some(p) => format!("{}:{}:{}", diagnostic.file, p.line, p.column),
        None => diagnostic.file.clone(),
    };
    let mut out = format!(
        "{}: {}: {}\n",
        paint(styles.emphasis, &location),
        paint(
            level_style,
            &format!("{}[{}]", diagnostic.level.label(), diagnostic.code.name())
        ),
        visible(&diagnostic.message)
    );
    if let (Some(p), Some(text)) = (diagnostic.position, source)
        && let Some(line) = text.lines().nth(p.line.saturating_sub(1) as usize)
    {
        let number = p.line.to_string();
        let gutter = " ".repeat(number.len());
        let (shown, before, width) = window(line, p.column, p.width);
        out.push_str(&format!("{gutter} |\n{number} | {shown}\n"));
        out.push_str(&format!(
            "{gutter} | {}{}\n",
            " ".repeat(before),
            paint(level_style, &"^".repeat(width))
        ));
    }
    if let Some(hint) = &diagnostic.hint {
        out.push_str(&format!(
            "  = {}: {}\n",
            paint(styles.note, "hint"),
            visible(hint)
        ));
    }
    out
}

/// Characters of a source line shown on each side of the problem: a long line (a whole model
/// on one flow-style line) is shown as a window around the column, not reprinted whole for
/// every diagnostic on it.
const CONTEXT_CHARS: usize = 60;

/// Lines up to this long are shown whole.
const WHOLE_LINE_CHARS: usize = 200;

/// The part of `line` to show, the caret's offset in it and the caret's width (all in
/// characters), with controls made visible.
fn window(line: &str, column: u32, width: u32) -> (String, usize, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let at = (column.saturating_sub(1) as usize).min(chars.len());
    let width = (width as usize)
        .max(1)
        .min(chars.len().saturating_sub(at).max(1));
    let (start, end) = if chars.len() <= WHOLE_LINE_CHARS {
        (0, chars.len())
    } else {
        (
            at.saturating_sub(CONTEXT_CHARS),
            (at + width + CONTEXT_CHARS).min(chars.len()),
        )
    };
    let mut shown = String::new();
    let mut before = 0;
    if start > 0 {
        shown.push('…');
        before += 1;
    }
    for (i, c) in chars[start..end].iter().enumerate() {
        let piece = visible_char(*c);
        if start + i < at {
            before += piece.chars().count();
        }
        shown.push_str(&piece);
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, before, width)
}

/// Text with control characters (C0 except tab and newline, DEL, C1) and the bidirectional
/// overrides made visible as `\u{..}` escapes: model text must not drive the terminal (escape
/// sequences, carriage returns) or reorder what a reader sees.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().map(visible_char).collect())
}

fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn visible_char(c: char) -> String {
    if is_hidden(c) {
        format!("\\u{{{:x}}}", c as u32)
    } else {
        c.to_string()
    }
}

/// Escapes Markdown's active characters so text from a model renders as text wherever atkmap
/// writes Markdown (reports, `diff --format md`): backslash escapes, HTML entities for `<>&`,
/// line breaks as spaces (a table row stays one row), control characters as [`visible`] shows
/// them.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push_str(&visible(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn controls_and_bidi_overrides_become_visible() {
        assert_eq!(super::visible("a\u{1b}]0;t\u{7}b"), "a\\u{1b}]0;t\\u{7}b");
        assert_eq!(
            super::visible("x\ry\u{9b}z\u{202e}"),
            "x\\u{d}y\\u{9b}z\\u{202e}"
        );
        assert_eq!(super::visible("tab\tline\n"), "tab\tline\n");
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_column() {
        let line = format!("{}BAD{}", "x".repeat(10_000), "y".repeat(10_000));
        let (shown, before, width) = super::window(&line, 10_001, 3);
        assert!(shown.chars().count() < 200, "{}", shown.len());
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(
            shown.chars().skip(before).take(width).collect::<String>(),
            "BAD"
        );
    }

    use super::super::{Code, Position};
    use super::*;

    fn plain() -> Styles {
        let s = anstyle::Style::new();
        Styles {
            error: s,
            warning: s,
            note: s,
            emphasis: s,
        }
    }

    #[test]
    fn renders_location_source_and_caret() {
        let d = Diagnostic::new(
            Code::UnknownKey,
            "m.yaml",
            Some(Position::new(2, 3, 4)),
            "unknown key `nmae`".into(),
        )
        .with_hint("did you mean `name`?");
        let text = render(&d, Some("atkmap: 1\n  nmae: x\n"), &plain());
        assert_eq!(
            text,
            "m.yaml:2:3: error[unknown-key]: unknown key `nmae`\n  |\n2 |   nmae: x\n  |   ^^^^\n  = hint: did you mean `name`?\n"
        );
    }

    #[test]
    fn renders_without_position() {
        let d = Diagnostic::new(Code::ReadError, "x.yaml", None, "cannot read".into());
        assert_eq!(
            render(&d, None, &plain()),
            "x.yaml: error[read-error]: cannot read\n"
        );
    }
}
