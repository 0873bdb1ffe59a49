//! `atkmap man [SUBCOMMAND...]`: man pages (roff) rendered from the command-line definition.
//!
//! clap_mangen renders the parts clap knows (name, synopsis, options, subcommands, version);
//! this module orders them and adds what clap cannot know: the main page's EXIT STATUS and
//! ENVIRONMENT, each page's EXAMPLES (the main help's examples that start with the page's
//! command, set in no-fill mode so that roff neither justifies nor hyphenates them), the prose
//! of `after_help` as DESCRIPTION paragraphs, and SEE ALSO. Every page a SUBCOMMANDS section
//! names (`atkmap-attack-show(1)`) is one `atkmap man attack show` prints.

use std::io::Write;

use clap::Command;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use super::failure::Failure;

/// The main page's EXIT STATUS, as the README's "Exit codes" says it.
pub const EXIT_STATUS: [(&str, &str); 3] = [
    ("0", "Success; nothing at or above the gate."),
    (
        "1",
        "Findings at or above the gate (report --fail-on; migrate --strict when something \
         needs a human).",
    ),
    (
        "2",
        "The command could not do its job: usage error, invalid model (check found errors), \
         missing ATT&CK data, I/O error.",
    ),
];

/// Every environment variable atkmap reads, for the main page's ENVIRONMENT.
pub const ENVIRONMENT: [(&str, &str); 12] = [
    (
        "ATKMAP_DATA_DIR",
        "Directories of ATT&CK and companion bundles named as MITRE names them \
         (enterprise-attack-18.1.json, f3-stix-v1.1.json), separated like PATH; as --data-dir.",
    ),
    (
        "ATKMAP_OFFLINE",
        "Never download ATT&CK data, as --offline, unless empty or one of 0, false, f, no, n, \
         off.",
    ),
    (
        "ATKMAP_NO_CACHE",
        "Neither read nor write the parsed-release cache, as --no-cache, unless empty or one of \
         0, false, f, no, n, off.",
    ),
    (
        "ATKMAP_CACHE_DIR",
        "The user cache: downloaded releases in attack-data/, parsed releases in index/. \
         Default: atkmap in the system's cache directory (~/.cache/atkmap on Linux).",
    ),
    (
        "ATKMAP_ATTACK_BASE_URL",
        "Where ATT&CK releases are downloaded from: a mirror of MITRE's attack-stix-data \
         repository, in its layout.",
    ),
    (
        "ATKMAP_COMPANION_BASE_URL",
        "Where the F3 and ATLAS files are downloaded from: a directory holding them under \
         their file names (f3-stix-v1.1.json).",
    ),
    (
        "ATKMAP_DOWNLOAD_LIMIT",
        "The largest download accepted, in bytes (default 512 MiB).",
    ),
    (
        "ATKMAP_DOWNLOAD_TIMEOUT",
        "The deadline of one download, in seconds, from the first connection to the last byte \
         (default 120).",
    ),
    (
        "ATKMAP_TODAY",
        "The date (YYYY-MM-DD) taken as today for expiry checks, so that runs are reproducible.",
    ),
    ("NO_COLOR", "When set, no colour in --color auto mode."),
    ("HTTPS_PROXY, ALL_PROXY", "The proxy downloads go through."),
    ("NO_PROXY", "Hosts downloaded from without the proxy."),
];

/// The roff page of `atkmap` (`path` empty) or of one of its subcommands
/// (`["attack", "show"]`), from the command line's definition `root`.
pub fn page(root: Command, path: &[String]) -> Result<String, Failure> {
    let mut root = root.disable_help_subcommand(true);
    root.build();
    let mut command = &root;
    let mut names = vec![root.get_name().to_string()];
    for name in path {
        command = command
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .find(|c| c.get_name() == name || c.get_all_aliases().any(|a| a == name))
            .ok_or_else(|| unknown_subcommand(&names, name, command))?;
        names.push(command.get_name().to_string());
    }
    render(command, &root, &names).map_err(|e| Failure::new(format!("cannot render: {e}")))
}

fn unknown_subcommand(names: &[String], name: &str, parent: &Command) -> Failure {
    let known: Vec<&str> = parent
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(Command::get_name)
        .collect();
    let failure = Failure::new(format!(
        "{} has no subcommand {name:?}, so no man page {}-{name}(1)",
        names.join(" "),
        names.join("-")
    ));
    if known.is_empty() {
        failure
    } else {
        failure.hint(format!("pages: {}", known.join(", ")))
    }
}

/// The page of `command`, named `names` (`["atkmap", "attack", "show"]`).
fn render(command: &Command, root: &Command, names: &[String]) -> std::io::Result<String> {
    let is_root = names.len() == 1;
    let man = Man::new(command.clone());
    let preamble = Roff::new().render();
    let mut out = preamble.clone();
    // The title, with the date as an explicit empty argument: clap_mangen drops an empty one,
    // and `man` then shows the source ("atkmap 0.1.0") where the date goes.
    let version = root.get_version().unwrap_or_default();
    let source = format!("atkmap {version}");
    let mut title = Roff::new();
    title.control(
        "TH",
        [
            names.join("-").as_str(),
            "1",
            "\"\"",
            &source,
            "atkmap Manual",
        ],
    );
    // Option names and file names must not be hyphenated at line ends (`--attack-ver-sion`),
    // nor prose stretched to the margin around them.
    title.control("nh", []).control("ad", ["l"]);
    out.push_str(&without(&preamble, title.render()));

    let section = |render: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        let mut buffer = Vec::new();
        render(&mut buffer)
            .map(|()| without(&preamble, String::from_utf8_lossy(&buffer).into_owned()))
    };
    out.push_str(&section(&|w| man.render_name_section(w))?);
    out.push_str(&section(&|w| man.render_synopsis_section(w))?);
    out.push_str(&section(&|w| man.render_description_section(w))?);

    let after_help = command
        .get_after_long_help()
        .or_else(|| command.get_after_help())
        .map(|text| text.to_string())
        .unwrap_or_default();
    let blocks = Blocks::of(&after_help);
    let mut extra = Roff::new();
    for paragraph in &blocks.prose {
        extra.control("PP", []);
        for line in paragraph.lines() {
            extra.text([roman(line.trim())]);
        }
    }
    out.push_str(&without(&preamble, extra.render()));

    if command.get_arguments().any(|a| !a.is_hide_set()) {
        out.push_str(&section(&|w| man.render_options_section(w))?);
    }
    if command.get_subcommands().any(|c| !c.is_hide_set()) {
        out.push_str(&section(&|w| man.render_subcommands_section(w))?);
    }

    let mut extra = Roff::new();
    if is_root {
        extra.control("SH", ["EXIT STATUS"]);
        for (code, meaning) in EXIT_STATUS {
            extra.control("TP", []);
            extra.text([bold(code)]);
            extra.text([roman(meaning)]);
        }
        extra.control("SH", ["ENVIRONMENT"]);
        for (name, meaning) in ENVIRONMENT {
            extra.control("TP", []);
            extra.text([bold(name)]);
            extra.text([roman(meaning)]);
        }
    }
    let prefix = format!("{} ", names.join(" "));
    let main_help = root
        .get_after_help()
        .map(|text| text.to_string())
        .unwrap_or_default();
    let examples: Vec<Example> = Blocks::of(&main_help)
        .examples
        .into_iter()
        .filter(|e| is_root || e.command.starts_with(&prefix))
        .collect();
    if !examples.is_empty() {
        extra.control("SH", ["EXAMPLES"]);
        render_examples(&mut extra, &examples);
    }
    if !is_root {
        extra.control("SH", ["SEE ALSO"]);
        let parents: Vec<String> = (1..names.len())
            .rev()
            .map(|n| format!("{}(1)", names[..n].join("-")))
            .collect();
        extra.text([roman(parents.join(", "))]);
    }
    out.push_str(&without(&preamble, extra.render()));
    if command.get_version().is_some() {
        out.push_str(&section(&|w| man.render_version_section(w))?);
    }
    Ok(out)
}

/// `text` without the apostrophe preamble every rendered roff document starts with.
fn without(preamble: &str, text: String) -> String {
    match text.strip_prefix(preamble) {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// One example of the main help: a command line and what it does, if said.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Example {
    command: String,
    comment: Option<String>,
}

/// An `after_help` text taken apart: the lines of its `Examples:` block, and its paragraphs of
/// prose. Other headed blocks (`Exit codes:`) are left out: the main page says them in EXIT
/// STATUS.
#[derive(Debug, Default)]
struct Blocks {
    examples: Vec<Example>,
    prose: Vec<String>,
}

impl Blocks {
    fn of(text: &str) -> Blocks {
        let mut out = Blocks::default();
        for block in text
            .split("\n\n")
            .map(str::trim_end)
            .filter(|b| !b.is_empty())
        {
            let mut lines = block.lines();
            let first = lines.next().unwrap_or_default();
            let headed = first.ends_with(':')
                && !first.starts_with(' ')
                && block.lines().skip(1).all(|l| l.starts_with("  "));
            match (headed, first) {
                (true, "Examples:") => out.examples.extend(lines.map(Example::of)),
                (true, _) => {}
                (false, _) => out.prose.push(block.to_string()),
            }
        }
        out
    }
}

impl Example {
    /// `  atkmap data list                         Releases available locally`: the command,
    /// then after a run of spaces what it does.
    fn of(line: &str) -> Example {
        let line = line.trim();
        match line.split_once("  ") {
            Some((command, comment)) if !comment.trim().is_empty() => Example {
                command: command.trim().to_string(),
                comment: Some(comment.trim().to_string()),
            },
            _ => Example {
                command: line.to_string(),
                comment: None,
            },
        }
    }
}

/// Examples as man-pages(7) sets them: what an example does as a filled sentence, the command
/// in no-fill mode (`.nf`), indented a little (the longest fits 80 columns); commands without a
/// comment share one block.
fn render_examples(roff: &mut Roff, examples: &[Example]) {
    let mut open = false;
    for example in examples {
        if example.comment.is_some() || !open {
            if open {
                roff.control("fi", []);
                roff.control("RE", []);
            }
            roff.control("PP", []);
            if let Some(comment) = &example.comment {
                roff.text([roman(format!("{comment}:"))]);
            }
            roff.control("RS", ["2"]);
            roff.control("nf", []);
            open = true;
        }
        roff.text([roman(example.command.as_str())]);
        if example.comment.is_some() {
            roff.control("fi", []);
            roff.control("RE", []);
            open = false;
        }
    }
    if open {
        roff.control("fi", []);
        roff.control("RE", []);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    #[test]
    fn examples_split_into_command_and_comment() {
        assert_eq!(
            Example::of("  atkmap data list                         Releases available locally"),
            Example {
                command: "atkmap data list".to_string(),
                comment: Some("Releases available locally".to_string()),
            }
        );
        assert_eq!(
            Example::of("  atkmap attack search \"trusted relationship\""),
            Example {
                command: "atkmap attack search \"trusted relationship\"".to_string(),
                comment: None,
            }
        );
    }

    #[test]
    fn after_help_blocks() {
        let blocks = Blocks::of(
            "Examples:\n  atkmap a  Does a\n  atkmap b\n\nExit codes:\n  0  fine\n\nSome prose\n\
             on two lines.",
        );
        assert_eq!(blocks.examples.len(), 2);
        assert_eq!(blocks.prose, ["Some prose\non two lines."]);
    }

    #[test]
    fn every_page_renders() {
        fn walk(command: &Command, path: &mut Vec<String>) {
            let roff =
                page(Cli::command(), path).unwrap_or_else(|f| panic!("{path:?}: {}", f.message));
            assert!(roff.contains(".TH "), "{path:?}");
            for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
                path.push(sub.get_name().to_string());
                walk(sub, path);
                path.pop();
            }
        }
        let root = Cli::command().disable_help_subcommand(true);
        walk(&root, &mut Vec::new());
        assert!(page(Cli::command(), &["nothing".to_string()]).is_err());
    }
}
