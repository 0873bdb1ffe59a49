//! Diagnostics as people read them: `path:line:col: level[code]: message`, the source line,
//! a caret under the problem, and a hint.

use super::{Diagnostic, Level};

/// Terminal styling hooks, so this layer stays free of any terminal crate's policy.
pub struct Styles {
    pub error: anstyle::Style,
    pub warning: anstyle::Style,
    pub note: anstyle::Style,
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
        diagnostic.message
    );
    if let (Some(p), Some(text)) = (diagnostic.position, source)
        && let Some(line) = text.lines().nth(p.line.saturating_sub(1) as usize)
    {
        let number = p.line.to_string();
        let gutter = " ".repeat(number.len());
        let line = line.replace('\t', " ");
        let before = (p.column.saturating_sub(1) as usize).min(line.chars().count());
        let width = (p.width as usize)
            .max(1)
            .min(line.chars().count().saturating_sub(before).max(1));
        out.push_str(&format!("{gutter} |\n{number} | {line}\n"));
        out.push_str(&format!(
            "{gutter} | {}{}\n",
            " ".repeat(before),
            paint(level_style, &"^".repeat(width))
        ));
    }
    if let Some(hint) = &diagnostic.hint {
        out.push_str(&format!("  = {}: {hint}\n", paint(styles.note, "hint")));
    }
    out
}

#[cfg(test)]
mod tests {
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
