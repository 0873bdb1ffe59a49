//! Writing to the terminal: colour only where it belongs, quiet on a closed pipe, and files
//! written atomically.
//!
//! `atkmap ... | head` closes stdout early; that is not an error worth a panic or a message,
//! so a broken pipe ends the command quietly with the exit code it would have had.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anstyle::Style;

use super::failure::Failure;

/// Styles used in terminal output; anstream strips them when colour is off.
pub mod styles {
    use anstyle::{AnsiColor, Style};

    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
    pub const NOTE: Style = AnsiColor::Cyan.on_default().bold();
    pub const EMPHASIS: Style = Style::new().bold();
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

/// Writes a file so that it is never seen half-written, even if atkmap is killed midway:
/// the bytes go to a temporary file beside the target, which is then renamed over it.
///
/// A target that is a symbolic link is refused: a pull request can commit `report.md` as a link
/// to a file outside the workspace, and CI would overwrite it. A target that exists and is not
/// a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming over it
/// would replace a device with a file. A new file gets the mode the umask gives (`0666 &
/// !umask`, as any tool's output), an existing one keeps its mode.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let existing = std::fs::symlink_metadata(path).ok();
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(Failure::new(format!(
                "{} is a symbolic link; atkmap does not write through links",
                path.display()
            ))
            .hint("write to the file itself (a link in a pull request could point anywhere)"));
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
    let (temporary, mut file) = temporary_beside(dir, path)?;
    let written = file
        .write_all(bytes)
        .and_then(|_| file.sync_all())
        .and_then(|_| match &existing {
            Some(meta) => file.set_permissions(meta.permissions()),
            None => Ok(()),
        });
    drop(file);
    let result = written
        .map_err(|e| Failure::io("write", &temporary, &e))
        .and_then(|_| {
            std::fs::rename(&temporary, path).map_err(|e| Failure::io("replace", path, &e))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// A new file in `dir`, named after the target, that nobody else has: created with the
/// umask's mode, as `std` creates files.
fn temporary_beside(dir: &Path, target: &Path) -> Result<(PathBuf, std::fs::File), Failure> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let candidate = dir.join(format!(".{name}.atkmap-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1_000_000 => continue,
            Err(e) => return Err(Failure::io("create a temporary file in", dir, &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_regular_files_keeps_their_mode_and_refuses_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("report.json");
        write_atomically(&file, b"one").expect("writes");
        write_atomically(&file, b"two").expect("rewrites");
        assert_eq!(std::fs::read(&file).expect("read"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A new file gets the mode any new file gets here (the umask's), not 0600.
            let reference = dir.path().join("reference");
            std::fs::File::create(&reference).expect("create");
            let mode_of = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode();
            assert_eq!(mode_of(&file) & 0o777, mode_of(&reference) & 0o777);
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
            write_atomically(&file, b"three").expect("rewrites");
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o640, "an existing file keeps its mode");
            // A link is refused, and the file it names is left alone.
            let link = dir.path().join("latest.json");
            std::os::unix::fs::symlink(&file, &link).expect("symlink");
            assert!(write_atomically(&link, b"four").is_err());
            assert_eq!(std::fs::read(&file).expect("read"), b"three");
        }
        // Nothing is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty());
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
