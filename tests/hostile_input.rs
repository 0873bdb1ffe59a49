//! Hostile model files from pull requests: each limit gives a quick, clear error that names
//! it, with bounded memory, and never a panic.

mod common;

use std::time::{Duration, Instant};

fn check(text: &[u8]) -> (i32, String, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.yaml");
    std::fs::write(&file, text).expect("write");
    let start = Instant::now();
    let out = common::atkmap()
        .arg("--attack")
        .arg(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
        .arg("check")
        .arg(&file)
        .output()
        .expect("atkmap runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr, start.elapsed())
}

#[test]
fn an_alias_bomb_stops_at_the_alias_limit() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, name) = (w[0], w[1]);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let (code, stderr, took) = check(text.as_bytes());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("error[input-limit]"), "{stderr}");
    assert!(stderr.contains("limit"), "{stderr}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    for text in [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}{}", "{a: ".repeat(5_000), "}".repeat(5_000)),
        (0..200)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect::<String>(),
    ] {
        let (code, stderr, _) = check(text.as_bytes());
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("error[input-limit]") && stderr.contains("64 levels"),
            "{stderr}"
        );
    }
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let big = vec![b'#'; 17 * 1024 * 1024];
    let (code, stderr, _) = check(&big);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[input-limit]") && stderr.contains("16777216"),
        "{stderr}"
    );
}

#[test]
fn too_many_nodes_stop_at_the_node_limit() {
    let text = format!("atkmap: 1\nitems: [{}]\n", vec!["1"; 1_100_000].join(","));
    let (code, stderr, _) = check(text.as_bytes());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("error[input-limit]"), "{stderr}");
}

#[test]
fn binary_and_broken_text_is_a_clear_error() {
    for (bytes, code_name) in [
        (vec![0xff, 0xfe, 0x00, 0x41], "read-error"),
        (b"atkmap: 1\n\tname: x\n".to_vec(), "yaml-syntax"),
        (b"atkmap: 1\nname: x\nname: y\n".to_vec(), "duplicate-key"),
        (b"- just\n- a list\n".to_vec(), "wrong-type"),
        (b"".to_vec(), "wrong-type"),
    ] {
        let (code, stderr, _) = check(&bytes);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(&format!("error[{code_name}]")),
            "{code_name}: {stderr}"
        );
    }
}

#[test]
fn an_oversized_bundle_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("enterprise-attack-99.0.json");
    let file = std::fs::File::create(&bundle).expect("create");
    // A sparse file: large on paper, no disk used.
    file.set_len(600 * 1024 * 1024).expect("set_len");
    let out = common::atkmap()
        .env("ATKMAP_NO_CACHE", "1")
        .arg("--attack")
        .arg(&bundle)
        .args(["attack", "stats"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 536870912 bytes"));
}
