//! atkmap's benchmark: `cargo bench --bench speed` (a release build) prints medians, ratios and
//! peak memory for loading ATT&CK, looking things up, reporting in every format, and reporting
//! on synthetic models of growing size. It times whole processes, as CI and users run them.
//!
//! Needs `ATKMAP_DATA_DIR` (MITRE's bundles). Optional: `python3` (the json.load baseline and
//! mitreattack-python, when installed), `/usr/bin/time` (peak memory).
//! `ATKMAP_BENCH_RUNS` sets the runs per measurement (default 9); `ATKMAP_BENCH_SCALE` the
//! largest synthetic model (default 10000 systems).

#[path = "synthetic.rs"]
mod synthetic;

/// The binary's bulk reader, measured here (it lives in the binary crate).
#[allow(dead_code)]
#[path = "../../src/cli/bulk_read.rs"]
mod bulk_read;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn runs() -> usize {
    std::env::var("ATKMAP_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(9)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median wall time of a command over `runs()` runs, after one warm-up; `None` if it fails.
fn time(command: &mut dyn FnMut() -> Command) -> Option<Duration> {
    let warm = command().output().ok()?;
    if !warm.status.success() && warm.status.code() != Some(1) {
        eprintln!(
            "  (failed: {})",
            String::from_utf8_lossy(&warm.stderr).trim()
        );
        return None;
    }
    let samples = (0..runs())
        .map(|_| {
            let start = Instant::now();
            let _ = command().output();
            start.elapsed()
        })
        .collect();
    Some(median(samples))
}

/// Peak resident memory of a command in MiB, from `/usr/bin/time -f %M` (KiB).
fn peak_mib(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Option<f64> {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%M").arg(program).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kib: f64 = text.lines().last()?.trim().parse().ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn binary() -> PathBuf {
    // The bench profile builds next to this bench executable: target/release/atkmap.
    let exe = std::env::current_exe().expect("bench executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory");
    let bin = dir.join("atkmap");
    if !bin.is_file() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--locked", "--bin", "atkmap"])
            .status()
            .expect("cargo build");
        assert!(status.success(), "building the release binary failed");
    }
    bin
}

/// mitreattack-python, when installed, doing the lookups a report needs: load the bundle, then
/// each exposure's mitigations and groups.
fn peer(
    bundle: &Path,
    run: &dyn Fn(Vec<String>) -> Box<dyn FnMut() -> Command>,
    args: &dyn Fn(&str) -> Vec<String>,
) {
    let probe = Command::new("python3")
        .args(["-c", "import mitreattack"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        println!("## Peer: mitreattack-python is not installed (pip install mitreattack-python)");
        println!();
        return;
    }
    let report = run(args(
        "report models/ekyc-national-id.yaml --fail-on none --format json",
    ))()
    .output();
    let techniques: Vec<String> = report
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .map(|r| {
            let mut t: Vec<String> = r["exposures"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e["technique"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            t.sort();
            t.dedup();
            t
        })
        .unwrap_or_default();
    let script = "import sys\nfrom mitreattack.stix20 import MitreAttackData\nd = MitreAttackData(sys.argv[1])\nfor tid in sys.argv[2].split(','):\n    t = d.get_object_by_attack_id(tid, 'attack-pattern')\n    d.get_mitigations_mitigating_technique(t.id)\n    d.get_groups_using_technique(t.id)\n";
    let list = techniques.join(",");
    let python = time(&mut || {
        let mut c = Command::new("python3");
        c.args(["-c", script]).arg(bundle).arg(&list);
        c
    });
    let ours = time(&mut run(args(
        "--no-cache report models/ekyc-national-id.yaml --fail-on none -o /dev/null",
    )));
    println!(
        "## Peer: mitreattack-python ({} techniques' mitigations and groups)",
        techniques.len()
    );
    if let (Some(p), Some(o)) = (python, ours) {
        println!("| mitreattack-python: load + lookups | {} |", ms(p));
        println!(
            "| atkmap report --format json, no cache (whole process) | {} | {:.0}x faster |",
            ms(o),
            p.as_secs_f64() / o.as_secs_f64()
        );
    }
    println!();
}

fn main() {
    let first_dir = std::env::var_os("ATKMAP_DATA_DIR").and_then(|list| {
        std::env::split_paths(&list).find(|d| d.join("enterprise-attack-18.1.json").is_file())
    });
    let Some(data) = first_dir else {
        eprintln!("set ATKMAP_DATA_DIR to MITRE's bundles (../shared/attack-data)");
        std::process::exit(2);
    };
    let bundle = data.join("enterprise-attack-18.1.json");
    let size_mib = std::fs::metadata(&bundle).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
    let atkmap = binary();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cache = tempfile::tempdir().expect("tempdir");
    let run = |args: Vec<String>| -> Box<dyn FnMut() -> Command> {
        let atkmap = atkmap.clone();
        let data = data.clone();
        let repo = repo.clone();
        let cache = cache.path().to_path_buf();
        Box::new(move || {
            let mut c = Command::new(&atkmap);
            c.current_dir(&repo)
                .env("ATKMAP_DATA_DIR", &data)
                .env("ATKMAP_CACHE_DIR", &cache)
                .env("ATKMAP_OFFLINE", "1")
                .env("ATKMAP_TODAY", "2026-11-25")
                .args(&args);
            c
        })
    };
    let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    println!(
        "atkmap benchmark: {} runs per figure, medians; bundle {} ({size_mib:.1} MiB)",
        runs(),
        bundle.display()
    );
    println!();

    println!("## Loading Enterprise 18.1");
    let python = time(&mut || {
        let mut c = Command::new("python3");
        c.args(["-c", "import json,sys; json.load(open(sys.argv[1]))"])
            .arg(&bundle);
        c
    });
    let stats = time(&mut run(args("--no-cache attack stats --format json")));
    let stats_cached = time(&mut run(args("attack stats --format json")));
    let show = time(&mut run(args("--no-cache attack show T1199 --format json")));
    let in_process = |step: &mut dyn FnMut()| {
        let samples = (0..runs())
            .map(|_| {
                let start = Instant::now();
                step();
                start.elapsed()
            })
            .collect();
        median(samples)
    };
    let bytes = std::fs::read(&bundle).expect("bundle");
    let read_plain = in_process(&mut || {
        std::hint::black_box(std::fs::read(&bundle).expect("read"));
    });
    let read_halves = in_process(&mut || {
        let limit = 512 * 1024 * 1024;
        std::hint::black_box(bulk_read::read_regular(&bundle, limit).expect("read"));
    });
    let hash = in_process(&mut || {
        std::hint::black_box(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    });
    let load = in_process(&mut || {
        std::hint::black_box(atkmap::attack::load_bundle(&bytes).expect("loads"));
    });
    if let Some(p) = python {
        println!("| python3 json.load (parse only) | {} |", ms(p));
    }
    if let Some(s) = stats {
        print!(
            "| atkmap attack stats, no cache (whole process) | {} |",
            ms(s)
        );
        if let Some(p) = python {
            print!(" {:.2}x of json.load", s.as_secs_f64() / p.as_secs_f64());
        }
        println!();
    }
    if let Some(s) = stats_cached {
        println!(
            "| atkmap attack stats, cached (whole process) | {} |",
            ms(s)
        );
    }
    if let Some(s) = show {
        println!(
            "| atkmap attack show T1199, no cache (whole process) | {} |",
            ms(s)
        );
    }
    println!("| in process: std::fs::read | {} |", ms(read_plain));
    println!(
        "| in process: regular-file check, bounded read by two threads (what atkmap does) | {} |",
        ms(read_halves)
    );
    println!(
        "| in process: SHA-256 (runs beside the parse) | {} |",
        ms(hash)
    );
    println!("| in process: load_bundle (parse + index) | {} |", ms(load));
    if let Some(m) = peak_mib(
        &atkmap,
        &["--no-cache", "attack", "stats"],
        &[("ATKMAP_DATA_DIR", &data.to_string_lossy())],
    ) {
        println!(
            "| peak memory of attack stats | {m:.1} MiB ({:.2}x the file) |",
            m / size_mib
        );
    }
    println!();

    println!("## Reporting on models/ekyc-national-id.yaml");
    println!("| format | no cache | cached |");
    for format in ["json", "md", "html", "sarif", "navigator"] {
        let a = format!(
            "report models/ekyc-national-id.yaml --format {format} --fail-on none -o /dev/null"
        );
        let cold = time(&mut run(args(&format!("--no-cache {a}"))));
        let warm = time(&mut run(args(&a)));
        println!(
            "| report --format {format} | {} | {} |",
            cold.map_or("failed".into(), ms),
            warm.map_or("failed".into(), ms)
        );
    }
    if let Some(m) = peak_mib(
        &atkmap,
        &[
            "report",
            "models/ekyc-national-id.yaml",
            "--fail-on",
            "none",
            "-o",
            "/dev/null",
        ],
        &[("ATKMAP_DATA_DIR", &data.to_string_lossy())],
    ) {
        println!("| peak memory of report --format json | {m:.1} MiB |");
    }
    println!();

    peer(&bundle, &run, &args);

    println!("## Scale: synthetic models (report --format json)");
    let largest: usize = std::env::var("ATKMAP_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    println!("| systems | exposures | paths | median time | peak memory | Markdown (characters) |");
    let mut previous: Option<(usize, f64)> = None;
    for systems in [10, 100, 1_000, 10_000]
        .into_iter()
        .filter(|&s| s <= largest)
    {
        let file = dir.path().join(format!("synthetic-{systems}.yaml"));
        std::fs::write(&file, synthetic::model(systems)).expect("write model");
        let out_json = dir.path().join(format!("synthetic-{systems}.json"));
        let report_args = vec![
            "report".to_string(),
            file.display().to_string(),
            "--fail-on".into(),
            "none".into(),
            "-o".into(),
            out_json.display().to_string(),
        ];
        let t = time(&mut run(report_args.clone()));
        let report: serde_json::Value = std::fs::read(&out_json)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let exposures = report["summary"]["exposures"].as_u64().unwrap_or(0);
        let paths = report["summary"]["paths"].as_u64().unwrap_or(0);
        let refs: Vec<&str> = report_args.iter().map(String::as_str).collect();
        let memory = peak_mib(
            &atkmap,
            &refs,
            &[
                ("ATKMAP_DATA_DIR", &data.to_string_lossy()),
                ("ATKMAP_TODAY", "2026-11-25"),
            ],
        );
        // The Markdown report must fit a pull-request comment at every size.
        let out_md = dir.path().join(format!("synthetic-{systems}.md"));
        let mut md_args = report_args.clone();
        md_args.truncate(4);
        md_args.extend([
            "--format".into(),
            "md".into(),
            "-o".into(),
            out_md.display().to_string(),
        ]);
        let _ = run(md_args)().status();
        let md_chars = std::fs::read_to_string(&out_md).map_or(0, |t| t.chars().count());
        let secs = t.map_or(0.0, |t| t.as_secs_f64());
        let growth = previous.map_or(String::new(), |(n, s)| {
            format!(
                " ({:.1}x time for {:.0}x systems)",
                secs / s,
                systems as f64 / n as f64
            )
        });
        println!(
            "| {systems} | {exposures} | {paths} | {}{growth} | {} | {md_chars} |",
            t.map_or("failed".into(), ms),
            memory.map_or("?".into(), |m| format!("{m:.1} MiB"))
        );
        previous = Some((systems, secs));
    }
}
