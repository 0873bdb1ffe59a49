//! Reading an input file whole, safely and cheaply: ATT&CK bundles (about 50 MB), baselines,
//! templates.
//!
//! Every file atkmap reads may come from a stranger's pull request. [`read_regular`] opens a
//! path only if it is a regular file (a FIFO would block, `/dev/zero` never ends), checks it
//! again once open, and reads at most a limit even when the size reads 0. Files are read, not
//! mapped: a mapped file truncated while atkmap parses it ends the process with SIGBUS, and a
//! pull request can put any file where atkmap looks. Large files are read by two threads, each
//! half (measured in the README: reading costs ~35 ms more than mapping on a cold report).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The whole of the regular file at `path`, at most `limit` bytes; an error for anything else
/// (kind `InvalidInput` for a non-regular file, `FileTooLarge` above the limit).
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    refuse_non_regular(&std::fs::metadata(path)?)?;
    let file = File::open(path)?;
    let meta = file.metadata()?;
    refuse_non_regular(&meta)?;
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let mut bytes = match usize::try_from(meta.len()) {
        Ok(len) if len as u64 > SPLIT_ABOVE => read_in_halves(&file, len)?,
        _ => Vec::new(),
    };
    // Whatever the halves did not cover (the whole of a small file, anything appended while
    // reading, a file whose size reads 0), up to one byte past the limit.
    let mut rest = &file;
    if !bytes.is_empty() {
        use std::io::Seek;
        rest.seek(io::SeekFrom::Start(bytes.len() as u64))?;
    }
    let room = (limit + 1).saturating_sub(bytes.len() as u64);
    rest.take(room).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn refuse_non_regular(meta: &std::fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = if meta.is_dir() {
        "a directory"
    } else {
        kind_of_special(meta)
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({kind}); atkmap reads only regular files"),
    ))
}

#[cfg(unix)]
fn kind_of_special(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn kind_of_special(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than the {limit}-byte limit for this kind of file"),
    )
}

/// Below this a second thread costs more than it saves.
const SPLIT_ABOVE: u64 = 4 << 20;

#[cfg(unix)]
fn read_in_halves(file: &File, len: usize) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut bytes = vec![0u8; len];
    let middle = len / 2;
    let (first, second) = bytes.split_at_mut(middle);
    let read = std::thread::scope(|scope| {
        let second_half = scope.spawn(|| file.read_exact_at(second, middle as u64));
        let first_half = file.read_exact_at(first, 0);
        let second_half = second_half
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread failed")));
        first_half.and(second_half)
    });
    match read {
        Ok(()) => Ok(bytes),
        // The file shrank while being read: read it again, plainly.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn read_in_halves(_file: &File, _len: usize) -> io::Result<Vec<u8>> {
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(len: usize) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bundle.json");
        let content: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &content).expect("write");
        assert_eq!(
            read_regular(&path, 64 << 20).expect("read"),
            content,
            "length {len}"
        );
    }

    #[test]
    fn small_large_and_odd_sized_files_read_whole() {
        for len in [0, 1, 4096, (4 << 20) + 1, (5 << 20) + 3] {
            round_trip(len);
        }
    }

    #[test]
    fn the_limit_holds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 1000]).expect("write");
        assert!(read_regular(&path, 1000).is_ok());
        let e = read_regular(&path, 999).expect_err("too large");
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        let mut special = vec![
            Path::new("/dev/zero").to_path_buf(),
            dir.path().to_path_buf(),
        ];
        if made {
            special.push(fifo);
        }
        for path in special {
            let e = read_regular(&path, 1 << 20).expect_err("refused");
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{}", path.display());
        }
        // A symlink to /dev/zero is followed and refused too.
        let link = dir.path().join("bundle.json");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        assert!(read_regular(&link, 1 << 20).is_err());
    }
}
