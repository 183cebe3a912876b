//! Imports run one way (docs/ARCHITECTURE.md): every module of `src/` may name only the
//! modules below it. Read from the source files, so a new `use` that reaches up (the screens
//! into the store, the domain into anything) fails here before it becomes a habit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import (`crate::<name>`), lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    ("assets", &[]),
    ("text", &[]),
    ("domain", &["assets"]),
    ("i18n", &["assets", "domain"]),
    ("error", &["domain", "i18n"]),
    ("sync", &["assets", "domain", "i18n", "error"]),
    (
        "store",
        &["assets", "domain", "i18n", "error", "sync", "text"],
    ),
    (
        "service",
        &["assets", "domain", "i18n", "error", "sync", "store", "text"],
    ),
    ("config", &["domain", "i18n", "error", "service", "store"]),
    ("logging", &["domain", "i18n", "error", "store"]),
    (
        "app",
        &["assets", "domain", "i18n", "error", "service", "text"],
    ),
    (
        "tui",
        &[
            "app", "assets", "config", "domain", "i18n", "error", "service", "text",
        ],
    ),
    (
        "demo",
        &[
            "assets", "domain", "i18n", "error", "service", "store", "sync",
        ],
    ),
    (
        "bench",
        &[
            "app", "assets", "demo", "domain", "error", "i18n", "service", "store", "sync", "text",
            "tui",
        ],
    ),
    (
        "cli",
        &[
            "app", "assets", "bench", "config", "demo", "domain", "error", "i18n", "logging",
            "service", "store", "sync", "text", "tui",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/app/screens/care.rs` → `app`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The crate modules a file names in code (`crate::store::…`, `crate::{a, b}`); comments
/// are left out.
fn crate_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for name in group[..end].split(',') {
                    let name = name.trim().split("::").next().unwrap_or("").trim();
                    if !name.is_empty() {
                        found.insert(name.to_string());
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some((_, allowed)) = LAYERS.iter().find(|(name, _)| *name == module) else {
            broken.push(format!(
                "{}: module `{module}` has no place in the layer table",
                file.display()
            ));
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(file).unwrap();
        for used in crate_modules(&text) {
            // `Error` and `Result` are re-exported at the root from `error`.
            let used = match used.as_str() {
                "Error" | "Result" => "error".to_string(),
                _ => used,
            };
            if used != module && !allowed.contains(&used.as_str()) {
                broken.push(format!("{}: imports crate::{used}", file.display()));
            }
        }
    }
    assert!(checked > 100, "only {checked} files were read");
    assert!(
        broken.is_empty(),
        "imports that reach up:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_screens_and_the_domain_keep_to_their_side() {
    // The rule in its own words, so that loosening the table above cannot quietly
    // undo it: no screen code names the store or the command line, and the domain names
    // nothing outside itself but the embedded assets.
    let table = |name: &str| LAYERS.iter().find(|(n, _)| *n == name).unwrap().1;
    for screen_side in ["app", "tui"] {
        for forbidden in ["store", "cli", "demo", "bench", "sync"] {
            assert!(
                !table(screen_side).contains(&forbidden),
                "{screen_side} → {forbidden}"
            );
        }
    }
    assert_eq!(table("domain"), ["assets"]);
}

#[test]
fn the_reader_finds_what_a_file_imports() {
    let text = "use crate::store::Session; // crate::cli is only mentioned\n\
                use crate::{logging, tui::run};\n\
                /// See [`crate::text::wrap`].\n\
                let x = crate::Error::internal(\"…\");";
    let found: Vec<String> = crate_modules(text).into_iter().collect();
    assert_eq!(found, ["Error", "logging", "store", "tui"]);
}
