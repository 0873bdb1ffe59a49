//! Shared helpers for the integration tests: the real binary (one fluent runner, [`atkmap`]), the
//! real ATT&CK bundles, and the library-level checks of [`checked`].

pub mod checked;

use std::path::PathBuf;

/// The directories of `ATKMAP_DATA_DIR` (a list separated like `PATH`, as `.ci/run` sets it:
/// MITRE's ATT&CK bundles and the companion F3 and ATLAS files), absolute, so that tests running
/// atkmap in another directory find them too (the README's test command passes relative paths).
pub fn data_dirs() -> Vec<PathBuf> {
    std::env::var_os("ATKMAP_DATA_DIR")
        .map(|list| std::env::split_paths(&list).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| std::path::absolute(&d).unwrap_or(d))
        .collect()
}

/// The directory holding `file`: one of `ATKMAP_DATA_DIR`, else the user cache atkmap
/// downloads into (so the README's second command works after its first). When none does, the
/// test fails with the one command that gets the file, so a fresh clone without the data, or
/// CI with a wrong path, can never pass silently; only an explicit `ATKMAP_SKIP_DATA=1` makes it
/// return `None` (saying so on stderr).
fn dir_holding(file: &str) -> Option<PathBuf> {
    let mut dirs = data_dirs();
    dirs.extend(cached_releases_dir());
    if let Some(dir) = dirs.iter().find(|d| d.join(file).is_file()) {
        return Some(dir.clone());
    }
    if std::env::var_os("ATKMAP_SKIP_DATA").is_none() {
        panic!(
            "{file} is not in ATKMAP_DATA_DIR or the user cache ({dirs:?}): run `{}`, or point \
             ATKMAP_DATA_DIR at a directory holding it (ATKMAP_SKIP_DATA=1 skips these tests)",
            fetch_command(file)
        );
    }
    eprintln!("skipping (ATKMAP_SKIP_DATA): no {file} in ATKMAP_DATA_DIR or the user cache");
    None
}

/// Where `atkmap data fetch` saves files: `ATKMAP_CACHE_DIR` or the user cache, then
/// `attack-data` (as the binary's `cli::data_source` decides).
fn cached_releases_dir() -> Option<PathBuf> {
    std::env::var_os("ATKMAP_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("atkmap")))
        .map(|d| d.join("attack-data"))
}

/// The command that downloads a data file into the user cache.
fn fetch_command(file: &str) -> String {
    let stem = file.trim_end_matches(".json");
    let run = "cargo run --release --locked --";
    if stem.starts_with("f3-stix") {
        return format!("{run} data fetch --framework f3");
    }
    if stem.starts_with("stix-atlas") {
        return format!("{run} data fetch --framework atlas");
    }
    match stem.split_once("-attack-") {
        Some((domain, version)) => {
            format!("{run} data fetch --domain {domain} --version {version}")
        }
        None => format!("{run} data fetch"),
    }
}

/// The directory holding MITRE's ATT&CK bundles.
pub fn data_dir() -> Option<PathBuf> {
    dir_holding("enterprise-attack-18.1.json")
}

/// The directory holding the companion files (MITRE F3 v1.1, MITRE ATLAS 5.6.0).
pub fn companion_dir() -> Option<PathBuf> {
    let dir = dir_holding("f3-stix-v1.1.json")?;
    assert!(
        dir.join("stix-atlas-5.6.0.json").is_file(),
        "{} holds F3 but not stix-atlas-5.6.0.json",
        dir.display()
    );
    Some(dir)
}

/// One bundle file from the data directory.
pub fn bundle(name: &str) -> Option<PathBuf> {
    let path = data_dir()?.join(name);
    assert!(path.is_file(), "{} is missing", path.display());
    Some(path)
}

/// The atkmap binary, isolated from the user's cache, the project's `attack-data/` and the
/// ATT&CK bundles of `ATKMAP_DATA_DIR`.
///
/// Each test process gets a cache directory of its own: the parsed-release cache makes the
/// many runs on the 50 MB bundles fast, and a fresh directory per run keeps notes about stale
/// caches from other builds out of the output tests compare.
pub fn atkmap() -> assert_cmd::Command {
    isolate(assert_cmd::Command::cargo_bin("atkmap").expect("the atkmap binary is built"))
}

/// The environment every test run of atkmap gets (see [`atkmap`]).
fn isolate(mut cmd: assert_cmd::Command) -> assert_cmd::Command {
    let isolated = std::env::temp_dir().join(format!("atkmap-tests-cache-{}", std::process::id()));
    cmd.env("ATKMAP_CACHE_DIR", isolated)
        .env("ATKMAP_OFFLINE", "1")
        .env("NO_COLOR", "1")
        .env_remove("ATKMAP_DATA_DIR");
    // The companion files (F3, ATLAS) the example models pin are found through the environment
    // unless a test names its own --data-dir; no ATT&CK bundle is among them.
    if let Some(dir) = data_dirs().into_iter().find(|d| {
        d.join("f3-stix-v1.1.json").is_file() && !d.join("enterprise-attack-18.1.json").is_file()
    }) {
        cmd.env("ATKMAP_DATA_DIR", dir);
    }
    cmd
}

/// [`atkmap`] run under GNU time, which writes the peak resident memory (KiB) and the CPU time
/// (user and system seconds) to `peak`; read them with [`peak_mib`] and [`time_taken`]. Without `/usr/bin/time` (Debian's `time`), plain [`atkmap`], and
/// [`peak_mib`] says `None` (CI installs it and sets `ATKMAP_REQUIRE_CLIENTS`: then a failure).
pub fn atkmap_measured(peak: &std::path::Path) -> assert_cmd::Command {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.is_file() {
        assert!(
            std::env::var_os("ATKMAP_REQUIRE_CLIENTS").is_none(),
            "ATKMAP_REQUIRE_CLIENTS is set but /usr/bin/time is not installed (Debian's time)"
        );
        return atkmap();
    }
    let mut cmd = assert_cmd::Command::new(time);
    cmd.args(["-f", "%M %U %S", "-o"])
        .arg(peak)
        .arg(assert_cmd::cargo::cargo_bin("atkmap"));
    isolate(cmd)
}

/// The figures [`atkmap_measured`] recorded: peak KiB, user seconds, system seconds (GNU time
/// writes "Command exited with non-zero status" above them when the run fails).
fn measured(peak: &std::path::Path) -> Option<(u64, f64, f64)> {
    let text = std::fs::read_to_string(peak).ok()?;
    text.lines().rev().find_map(|line| {
        let mut words = line.split_whitespace();
        let kib = words.next()?.parse().ok()?;
        let user = words.next()?.parse().ok()?;
        let system = words.next()?.parse().ok()?;
        Some((kib, user, system))
    })
}

/// The peak resident memory, in MiB, that [`atkmap_measured`] recorded.
pub fn peak_mib(peak: &std::path::Path) -> Option<u64> {
    measured(peak).map(|(kib, _, _)| kib / 1024)
}

/// What a run cost: the CPU time (user + system) [`atkmap_measured`] recorded, else the wall
/// clock `wall`. Time bounds on hostile input guard against blow-ups (quadratic minutes), and
/// CPU time, unlike the wall clock, does not grow when other tests share the two cores.
pub fn time_taken(peak: &std::path::Path, wall: std::time::Duration) -> std::time::Duration {
    match measured(peak) {
        Some((_, user, system)) => std::time::Duration::from_secs_f64(user + system),
        None => wall,
    }
}

/// Asserts a measured run stayed under `limit_mib` (when it could be measured).
pub fn assert_peak_below(peak: &std::path::Path, limit_mib: u64) {
    if let Some(mib) = peak_mib(peak) {
        assert!(
            mib < limit_mib,
            "peak memory {mib} MiB, limit {limit_mib} MiB"
        );
        eprintln!("peak memory {mib} MiB (limit {limit_mib} MiB)");
    }
}

/// The repository's root, for fixtures and models.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `--data-dir DIR` for the companion files (F3, ATLAS), next to the ATT&CK data directory the
/// test passes; empty (and said on stderr) only under `ATKMAP_SKIP_DATA`.
pub fn companion_args() -> Vec<std::ffi::OsString> {
    match companion_dir() {
        Some(dir) => vec!["--data-dir".into(), dir.into_os_string()],
        None => Vec::new(),
    }
}
