//! Writing to the terminal: colour only where it belongs, quiet on a closed pipe, and files
//! written atomically.
//!
//! `atkmap ... | head` closes stdout early; that is not an error worth a panic or a message,
//! so a broken pipe ends the command quietly with the exit code it would have had.

use std::io::{self, Write};
use std::path::Path;

use anstyle::{AnsiColor, Style};

use super::failure::Failure;

/// Styles used in terminal output; anstream strips them when colour is off.
pub mod styles {
    use super::*;
    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
    pub const NOTE: Style = AnsiColor::Cyan.on_default().bold();
    pub const EMPHASIS: Style = Style::new().bold();
    pub const DIM: Style = Style::new().dimmed();
}

/// Colour choice from `--color`, `NO_COLOR` and whether the stream is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Applies the choice process-wide; anstream consults it for every stream.
    pub fn apply(self) {
        let choice = match self {
            ColorChoice::Auto => anstream::ColorChoice::Auto,
            ColorChoice::Always => anstream::ColorChoice::Always,
            ColorChoice::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
    }
}

/// Whether an error is the reader of our stdout going away.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Writes text to stdout; a closed pipe is not an error.
pub fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if is_broken_pipe(&e) => Ok(()),
        Err(e) => Err(Failure::new(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Writes text to stderr, ignoring failures (there is nowhere left to report them).
pub fn print_stderr(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// `text` in a style, as the ANSI escapes anstream may later strip.
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Writes a file so that readers see the old content or the new, never a half-written file:
/// the bytes go to a temporary file beside the target, which is then renamed over it.
///
/// Only regular files are replaced that way. A target that exists and is something else
/// (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming over it would replace a
/// device with a file. A symbolic link is followed, so the link stays and its target is
/// replaced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() {
            let target =
                std::fs::canonicalize(path).map_err(|e| Failure::io("resolve", path, &e))?;
            return write_atomically(&target, bytes);
        }
        if !meta.is_file() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Failure::io("open", path, &e))?;
            return match file.write_all(bytes).and_then(|_| file.flush()) {
                Ok(()) => Ok(()),
                Err(e) if is_broken_pipe(&e) => Ok(()),
                Err(e) => Err(Failure::io("write", path, &e)),
            };
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".atkmap-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Failure::io("create a temporary file in", dir, &e))?;
    file.write_all(bytes)
        .and_then(|_| file.as_file().sync_all())
        .map_err(|e| Failure::io("write", file.path(), &e))?;
    file.persist(path)
        .map_err(|e| Failure::io("replace", path, &e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_regular_files_and_follows_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("report.json");
        write_atomically(&file, b"one").expect("writes");
        write_atomically(&file, b"two").expect("rewrites");
        assert_eq!(std::fs::read(&file).expect("read"), b"two");
        #[cfg(unix)]
        {
            let link = dir.path().join("latest.json");
            std::os::unix::fs::symlink(&file, &link).expect("symlink");
            write_atomically(&link, b"three").expect("writes through the link");
            assert!(
                std::fs::symlink_metadata(&link)
                    .expect("meta")
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read(&file).expect("read"), b"three");
        }
    }

    #[cfg(unix)]
    #[test]
    fn never_replaces_a_device() {
        use std::os::unix::fs::FileTypeExt;
        write_atomically(Path::new("/dev/null"), b"discarded").expect("writes to /dev/null");
        let meta = std::fs::metadata("/dev/null").expect("/dev/null exists");
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null must stay a device"
        );
    }
}
