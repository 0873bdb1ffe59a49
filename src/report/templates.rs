//! The minijinja templates reports are rendered with: built into the binary from `templates/`,
//! each overridable by a file of the same name in the user's `--template DIR`.
//!
//! Escaping is by extension and never optional: `.html` templates escape HTML, `.md`
//! templates escape Markdown (a model's names cannot inject links, tables or HTML into a pull
//! request comment). A template marks deliberate markup with `|safe`.

use std::collections::BTreeMap;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, escape_formatter};

/// Templates built into the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("report.md", include_str!("../../templates/report.md")),
    ("report.html", include_str!("../../templates/report.html")),
];

/// Why a template could not render.
#[derive(Debug, thiserror::Error)]
#[error("{origin}{line}: {detail}")]
pub struct TemplateError {
    /// The template's file (the user's override) or built-in name.
    pub origin: String,
    /// `:LINE` of the failure in that template, or empty when unknown.
    pub line: String,
    /// What went wrong.
    pub detail: String,
}

/// The templates of one run: built-ins and the user's overrides (read by the caller).
pub struct Templates {
    /// Template name -> (source, where it came from).
    overrides: BTreeMap<String, (String, String)>,
}

impl Templates {
    /// `overrides` maps a template name (`report.md`) to its source text and origin (path).
    pub fn new(overrides: BTreeMap<String, (String, String)>) -> Templates {
        Templates { overrides }
    }

    /// Only the built-in templates, no overrides.
    pub fn builtin() -> Templates {
        Templates::new(BTreeMap::new())
    }

    fn origin(&self, name: &str) -> String {
        match self.overrides.get(name) {
            Some((_, origin)) => origin.clone(),
            None => format!("templates/{name} (built in)"),
        }
    }

    fn environment(&self) -> Result<Environment<'_>, Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".html.j2") || name.ends_with(".svg") {
                AutoEscape::Html
            } else if name.ends_with(".md") {
                AutoEscape::Custom(std::borrow::Cow::Borrowed("markdown"))
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(markdown_formatter);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        // Bounds on what a user-supplied template can make atkmap do. The built-in templates
        // are part of atkmap and do work in proportion to the report, which has no such bound.
        if !self.overrides.is_empty() {
            env.set_fuel(Some(50_000_000));
        }
        env.set_recursion_limit(64);
        env.add_filter("md", |s: String| markdown_escape(&s));
        env.add_filter("slug", |s: String| slug(&s));
        env.add_filter("attack_url", |id: String| {
            crate::attack::framework::object_url(&id).unwrap_or_default()
        });
        env.add_filter(
            "attack_link",
            |id: String| match crate::attack::framework::object_url(&id) {
                Some(url) => Value::from_safe_string(format!("[{}]({url})", markdown_escape(&id))),
                None => Value::from(markdown_escape(&id)),
            },
        );
        for (name, source) in BUILTIN {
            match self.overrides.get(*name) {
                Some((user, _)) => env.add_template_owned(name.to_string(), user.clone())?,
                None => env.add_template(name, source)?,
            }
        }
        for (name, (source, _)) in &self.overrides {
            if !BUILTIN.iter().any(|(b, _)| b == name) {
                env.add_template_owned(name.clone(), source.clone())?;
            }
        }
        Ok(env)
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String, TemplateError> {
        let failure = |e: Error| {
            let origin = self.origin(e.name().unwrap_or(name));
            TemplateError {
                origin,
                line: e.line().map_or(String::new(), |l| format!(":{l}")),
                detail: describe(&e),
            }
        };
        let env = self.environment().map_err(failure)?;
        let template = env.get_template(name).map_err(failure)?;
        let limit = if self.overrides.is_empty() {
            MAX_OUTPUT_BYTES
        } else {
            MAX_USER_OUTPUT_BYTES
        };
        let mut out = Capped {
            bytes: Vec::new(),
            limit,
        };
        match template.render_captured_to(context, &mut out) {
            Ok(_) => String::from_utf8(out.bytes).map_err(|_| TemplateError {
                origin: self.origin(name),
                line: String::new(),
                detail: "the output is not UTF-8".to_string(),
            }),
            Err(_) if out.bytes.len() >= limit => Err(TemplateError {
                origin: self.origin(name),
                line: String::new(),
                detail: format!("the output passed the limit of {limit} bytes"),
            }),
            Err(e) => Err(failure(e)),
        }
    }
}

/// The most a built-in template may write (the HTML report of a 10,000-system model is 35 MB).
pub const MAX_OUTPUT_BYTES: usize = 512 << 20;

/// The most a user's template (`--template`) may write.
pub const MAX_USER_OUTPUT_BYTES: usize = 64 << 20;

/// A template's output, refusing to grow past a limit.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.bytes
                .extend_from_slice(&buf[..self.limit - self.bytes.len()]);
            return Err(std::io::Error::other("output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn describe(e: &Error) -> String {
    let mut text = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(&format!(" ({inner})"));
        source = inner.source();
    }
    text
}

/// Escapes Markdown's active characters so model text renders as text (one escaper for every
/// Markdown atkmap writes: [`crate::diag::render::markdown_text`]).
pub fn markdown_escape(text: &str) -> String {
    crate::diag::render::markdown_text(text)
}

/// A lowercase, dash-separated anchor name.
pub fn slug(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    mapped
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn markdown_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "markdown") {
        if value.is_safe() {
            return write!(out, "{value}")
                .map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()));
        }
        let text = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        return out
            .write_str(&markdown_escape(&text))
            .map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()));
    }
    // Model text reaches the HTML too: its control characters become visible escapes before
    // the HTML escaping (a NUL or ESC in a page is invisible and breaks copy and paste).
    if !value.is_safe()
        && let Some(text) = value.as_str()
        && let std::borrow::Cow::Owned(shown) = crate::diag::render::visible(text)
    {
        return escape_formatter(out, state, &Value::from(shown));
    }
    escape_formatter(out, state, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_in_markdown_and_html() {
        let templates = Templates::new(BTreeMap::from([
            (
                "t.md".to_string(),
                ("{{ name }}".to_string(), "t.md".to_string()),
            ),
            (
                "t.html".to_string(),
                ("{{ name }}".to_string(), "t.html".to_string()),
            ),
        ]));
        let name = "a\u{1b}]0;x\u{7}\u{0}b\u{202e}";
        for t in ["t.md", "t.html"] {
            let out = templates
                .render(t, minijinja::context! { name => name })
                .expect("renders");
            assert!(!out.chars().any(|c| c.is_control()), "{t}: {out:?}");
            assert!(
                out.contains("u{1b}") && out.contains("u{202e}"),
                "{t}: {out}"
            );
        }
    }

    #[test]
    fn markdown_output_is_escaped_unless_safe() {
        let templates = Templates::new(BTreeMap::from([(
            "t.md".to_string(),
            ("{{ name }} {{ link|safe }}".to_string(), "t.md".to_string()),
        )]));
        let out = templates
            .render(
                "t.md",
                minijinja::context! { name => "[x](http://evil) | <b>", link => "[ok](http://ok)" },
            )
            .expect("renders");
        assert_eq!(
            out,
            "\\[x\\]\\(http://evil\\) \\| &lt;b&gt; [ok](http://ok)"
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let templates = Templates::new(BTreeMap::from([(
            "report.md".to_string(),
            (
                "ok\n{{ missing.field }}".to_string(),
                "/tmp/mine/report.md".to_string(),
            ),
        )]));
        let e = templates
            .render("report.md", minijinja::context! {})
            .expect_err("fails");
        assert_eq!(e.origin, "/tmp/mine/report.md");
        assert_eq!(e.line, ":2");
    }
}
