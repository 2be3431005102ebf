//! Architecture rules as tests (after rust-analyzer's `tidy.rs`): each rule in ARCHITECTURE.md
//! that can be read off the source is checked here, so breaking one fails `make test`.
//!
//! - The core's layers import downward only: leaves → `store` → `records` → the top (`audit`,
//!   `search`, `bundle`, `upgrade`, `sample`, `open`), and its module graph has no cycle.
//! - Inside the core, modules are named by their canonical paths (`crate::records::cases`), not
//!   by the re-exports kept for the CLI and the app.
//! - Only `store/db.rs` opens a database connection.
//! - Only `store/vault.rs` builds paths into the vault.
//! - The UI sets no `innerHTML`, and only `ui/js/ipc.js` touches `window.__TAURI__`.
//! - Every Tauri command runs off the main thread (`#[tauri::command(async)]` or `async fn`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// The source without comments (line comments and doc comments), so that prose naming a
/// module is not read as a use of it.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The core's modules, by path relative to `src` without extension (`store/library`,
/// `records/mod` as `records`).
fn core_modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, "rs", &mut all);
    all.into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .with_extension("")
                .to_string_lossy()
                .replace('\\', "/");
            let module = rel.strip_suffix("/mod").unwrap_or(&rel).to_string();
            (module, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn layer(module: &str) -> Option<usize> {
    let first = module.split('/').next().unwrap_or_default();
    match first {
        "error" | "clock" | "dates" | "validate" | "fsutil" => Some(0),
        "store" => Some(1),
        "records" => Some(2),
        "audit" | "search" | "bundle" | "upgrade" | "sample" | "open" => Some(3),
        "lib" => None,
        other => panic!("{other}: a core module that tests/tidy.rs does not place in a layer; add it there and to ARCHITECTURE.md"),
    }
}

/// The modules `text` names through `crate::...` paths, resolved to the longest known module.
fn uses(text: &str, modules: &BTreeMap<String, String>) -> BTreeSet<String> {
    let code = code(text);
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + 7..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        // `use crate::{a, b}`: each name in the braces.
        if segs.is_empty() && rest.starts_with('{') {
            let inner = &rest[1..rest.find('}').unwrap_or(1)];
            for name in inner
                .split(',')
                .map(|n| n.trim().split("::").next().unwrap_or("").trim())
            {
                if modules.contains_key(name) {
                    out.insert(name.to_string());
                }
            }
            continue;
        }
        let mut best = None;
        for n in 1..=segs.len() {
            let candidate = segs[..n].join("/");
            if modules.contains_key(&candidate) {
                best = Some(candidate);
            }
        }
        if let Some(b) = best {
            out.insert(b);
        } else if let Some(first) = segs.first() {
            out.insert(format!("?{first}"));
        }
    }
    out
}

#[test]
fn core_layers_import_downward_only_and_modules_form_no_cycle() {
    let modules = core_modules();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    const ALIASES: &[&str] = &[
        "acts",
        "cases",
        "evidence",
        "history",
        "incidents",
        "links",
        "persons",
        "profile",
        "statements",
        "trust",
        "units",
        "vocab",
        "custody",
        "db",
        "head",
        "keys",
        "library",
        "vault",
    ];
    for (m, text) in &modules {
        let Some(from) = layer(m) else { continue };
        for u in uses(text, &modules) {
            if let Some(alias) = u.strip_prefix('?') {
                if ALIASES.contains(&alias) {
                    problems.push(format!("{m} names crate::{alias}: use the canonical path (crate::records::{alias} or crate::store::{alias})"));
                }
                continue;
            }
            if u == *m || u == "lib" {
                continue;
            }
            if let Some(to) = layer(&u) {
                if to > from {
                    problems.push(format!(
                        "{m} (layer {from}) imports {u} (layer {to}): layers import downward only"
                    ));
                }
            }
            // A module and its parent `mod.rs` are one unit for the cycle check.
            let (a, b) = (
                m.split('/').take(2).collect::<Vec<_>>().join("/"),
                u.split('/').take(2).collect::<Vec<_>>().join("/"),
            );
            if a != b && !a.starts_with(&format!("{b}/")) && !b.starts_with(&format!("{a}/")) {
                edges.entry(a).or_default().insert(b);
            }
        }
    }
    // Cycles, by depth-first search.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = stack.iter().position(|s| s == n) {
            cycles.push(format!("{} → {n}", stack[i..].join(" → ")));
            return;
        }
        if !done.insert(n.to_string()) {
            return;
        }
        stack.push(n.to_string());
        for next in edges.get(n).into_iter().flatten() {
            visit(next, edges, stack, done, cycles);
        }
        stack.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        visit(n, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    problems.extend(cycles.into_iter().map(|c| format!("import cycle: {c}")));
    assert!(
        problems.is_empty(),
        "architecture rules broken:\n{}",
        problems.join("\n")
    );
}

/// Every record row is written through `records::insert_logged` / `update_logged` (or the
/// create/edit/delete/restore paths built on them in records/mod.rs), so a row never changes
/// without its custody entry. Statement versions, an append-only table named by the statement's
/// own entries, are the one exception.
#[test]
fn records_are_written_through_the_one_logged_path() {
    let modules = core_modules();
    let mut bad = Vec::new();
    for (m, text) in &modules {
        if m == "records" || m.starts_with("store/") {
            continue;
        }
        for (i, line) in code(text).lines().enumerate() {
            if (line.contains("store::insert(") || line.contains("store::update("))
                && !line.contains("VERSIONS")
            {
                bad.push(format!("{m}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "record rows written without records::insert_logged/update_logged:\n{}",
        bad.join("\n")
    );
}

#[test]
fn only_the_store_opens_a_database_connection() {
    let modules = core_modules();
    let bad: Vec<&String> = modules
        .iter()
        .filter(|(m, text)| {
            *m != "store/db"
                && (code(text).contains("Connection::open")
                    || code(text).contains("Connection::open_in_memory"))
        })
        .map(|(m, _)| m)
        .collect();
    assert!(
        bad.is_empty(),
        "only store/db.rs opens a connection (with the pragmas and migrations); found in {bad:?}"
    );
}

#[test]
fn only_the_vault_builds_paths_into_the_vault() {
    let modules = core_modules();
    let mut bad = Vec::new();
    for (m, text) in &modules {
        if m == "store/vault" {
            continue;
        }
        let c = code(text);
        for needle in [
            "original_for_reading",
            "\"sha256/",
            "\"derived/thumbs",
            "VAULT_DIR).join",
            ".root().join",
        ] {
            if c.contains(needle) {
                bad.push(format!("{m}: {needle}"));
            }
        }
    }
    assert!(bad.is_empty(), "only store/vault.rs turns a digest into a path (the vault hands out readers); found: {bad:?}");
}

#[test]
fn the_ui_builds_dom_from_text_and_only_ipc_js_touches_tauri() {
    let mut js = Vec::new();
    files(&root().join("ui"), "js", &mut js);
    files(&root().join("ui"), "html", &mut js);
    assert!(js.len() > 10, "the UI's files were found");
    let mut bad = Vec::new();
    for p in &js {
        let text = code(&std::fs::read_to_string(p).unwrap());
        let name = p.strip_prefix(root()).unwrap().display().to_string();
        if text.contains("innerHTML")
            || text.contains("outerHTML")
            || text.contains("insertAdjacentHTML")
        {
            bad.push(format!(
                "{name}: HTML from strings (user text must be DOM text)"
            ));
        }
        if text.contains("__TAURI__") && !name.ends_with("ui/js/ipc.js") {
            bad.push(format!(
                "{name}: touches window.__TAURI__ (only ui/js/ipc.js may)"
            ));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn every_tauri_command_runs_off_the_main_thread() {
    let mut rs = Vec::new();
    files(&root().join("src-tauri/src"), "rs", &mut rs);
    let mut bad = Vec::new();
    let mut seen = 0;
    for p in &rs {
        let text = std::fs::read_to_string(p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if !t.starts_with("#[tauri::command") {
                continue;
            }
            seen += 1;
            let signature = lines[i + 1..]
                .iter()
                .find(|l| {
                    l.trim().starts_with("pub")
                        || l.trim().starts_with("fn")
                        || l.trim().starts_with("async")
                })
                .unwrap_or(&"");
            if !t.contains("async") && !signature.contains("async fn") {
                bad.push(format!(
                    "{}:{}: {}",
                    p.file_name().unwrap().to_string_lossy(),
                    i + 1,
                    signature.trim()
                ));
            }
        }
    }
    assert!(seen > 40, "the commands were found ({seen})");
    assert!(
        bad.is_empty(),
        "commands that would run on the main thread (make them #[tauri::command(async)]):\n{}",
        bad.join("\n")
    );
}
