//! Reading a whole ATT&CK bundle (about 50 MB) into memory with both cores.
//!
//! Measured on Enterprise 18.1 (`cargo bench --bench speed`, "read" rows): most of the cost
//! of `std::fs::read` on a cached file is the kernel copying pages into a fresh buffer and the
//! page faults that buffer takes, both of which split cleanly across threads, so two threads
//! each fill half of the buffer. Safe code only: positioned reads into disjoint halves.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Below this a second thread costs more than it saves.
const SPLIT_ABOVE: u64 = 4 << 20;

/// The whole file, read by two threads when it is large.
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut bytes = match usize::try_from(len) {
        Ok(len) if len as u64 > SPLIT_ABOVE => read_in_halves(&file, len)?,
        _ => Vec::new(),
    };
    // Whatever the halves did not cover: the whole of a small file, or anything appended
    // while reading. `File`'s own position is untouched by positioned reads.
    if !bytes.is_empty() {
        use std::io::Seek;
        file.seek(io::SeekFrom::Start(bytes.len() as u64))?;
    }
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

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
        assert_eq!(read_file(&path).expect("read"), content, "length {len}");
    }

    #[test]
    fn small_large_and_odd_sized_files_read_whole() {
        for len in [0, 1, 4096, (4 << 20) + 1, (5 << 20) + 3] {
            round_trip(len);
        }
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = read_file(&dir.path().join("absent.json")).expect_err("missing");
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }
}
