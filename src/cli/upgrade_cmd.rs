//! `atkmap diff` and `atkmap migrate`: what a newer ATT&CK release changes, and moving models
//! to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Serialize;

use atkmap::attack::release_name::same_version;
use atkmap::model::format::ModelFile;
use atkmap::model::{self, Parsed};
use atkmap::upgrade::migrate::{Input, Migration};
use atkmap::upgrade::render::{diff_markdown, diff_text, migration_text};
use atkmap::upgrade::text::unified_diff;
use atkmap::upgrade::{self, DiffDocument, Releases, Revocations};

use super::check_cmd::print_diagnostics;
use super::companions::Wanted;
use super::data_source::{DataOptions, LoadedRelease};
use super::failure::{CliResult, Failure, Outcome};
use super::model_files::{CheckedFile, CheckedModels, expand, pinned_companions, read_model};
use super::output::{print_stderr, print_stdout, write_atomically};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum DiffFormat {
    /// A summary for the terminal
    #[default]
    Text,
    /// GitHub-flavoured Markdown
    Md,
    /// The full JSON document
    Json,
}

const DIFF_HELP: &str = "\
Objects are matched across releases by STIX id, not by ATT&CK ID. Without a model, the
release as a whole: counts of added, removed, revoked, deprecated, renamed and renumbered
objects per kind (text and Markdown list the first changes of each sort, JSON all of them).
With models: for each, the referenced objects that changed, the techniques its groups gained
or lost, the techniques that newly apply to its systems, and its exposures recomputed on both
releases. References a release does not know are left out on that side and listed.
The domain is --domain, else the models' pin, else enterprise. Exit 2 on unreadable or
unparsable models and missing releases.";

#[derive(Debug, clap::Args)]
#[command(after_help = DIFF_HELP)]
pub struct DiffArgs {
    /// Model files or directories (none: diff the releases as a whole)
    pub paths: Vec<PathBuf>,
    /// The earlier release (17.1)
    #[arg(long, value_name = "VERSION")]
    pub from: String,
    /// The later release (18.1)
    #[arg(long, value_name = "VERSION")]
    pub to: String,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum MigrateFormat {
    /// A summary for the terminal
    #[default]
    Text,
    /// One JSON document (with the diff, under --dry-run)
    Json,
}

const MIGRATE_HELP: &str = "\
Rewrites each model in place: IDs the target release revoked become their replacement (the
end of the revoked-by chain), renumbered IDs their new ID, and the pinned version the target.
Only those characters change; comments, order, quoting and blank lines stay as they are.
Deprecated objects, splits, replacements of another kind and IDs the target does not know are
left as they are and listed as needing a human.

Exit codes: 0 done or nothing to do, also when something needs a human (it is listed; what
can be migrated is written); 1 with --strict when something needs a human (what can be
migrated is still written); 2 when a model cannot be read or parsed, a release is missing, or
a model pins a newer release than --to: then no file is written at all.
--dry-run prints a unified diff on standard output (the summary on standard error) and
writes nothing. Files are written atomically.";

#[derive(Debug, clap::Args)]
#[command(after_help = MIGRATE_HELP)]
pub struct MigrateArgs {
    /// Model files or directories to rewrite
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The release to migrate to (18.1)
    #[arg(long, value_name = "VERSION")]
    pub to: String,
    /// Print a unified diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 1 when something needs a human
    #[arg(long)]
    pub strict: bool,
    /// Summary format
    #[arg(long, value_enum, default_value_t)]
    pub format: MigrateFormat,
}

/// A model file read and parsed.
struct ModelText {
    path: PathBuf,
    name: String,
    text: String,
    file: Box<ModelFile>,
}

/// Reads and parses every model; on any problem prints the diagnostics and returns `None`.
fn read_models(paths: &[PathBuf]) -> Result<Option<Vec<ModelText>>, Failure> {
    let mut models = Vec::new();
    let mut checked = CheckedModels {
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    for path in expand(paths)? {
        let name = path.display().to_string();
        let text = match read_model(&path) {
            Ok(text) => text,
            Err(d) => {
                checked.diagnostics.push(d);
                checked.files.push(checked_file(&path, String::new()));
                continue;
            }
        };
        match model::parse(&text, &name) {
            Parsed::File(file) => {
                checked.files.push(checked_file(&path, text.clone()));
                models.push(ModelText {
                    path,
                    name,
                    text,
                    file,
                });
            }
            Parsed::Broken(problems) => {
                checked.diagnostics.extend(problems);
                checked.files.push(checked_file(&path, text));
            }
        }
    }
    if checked.diagnostics.is_empty() {
        return Ok(Some(models));
    }
    atkmap::diag::sort(&mut checked.diagnostics);
    print_diagnostics(&checked);
    Ok(None)
}

fn checked_file(path: &Path, source: String) -> CheckedFile {
    CheckedFile {
        path: path.to_path_buf(),
        source,
        model: None,
        release: None,
    }
}

/// The data options for loading an explicit release: `--attack-version` and `--domain` do not
/// override it.
fn explicit(data: &DataOptions) -> DataOptions {
    DataOptions {
        attack_file: None,
        version: None,
        domain: None,
        ..data.clone()
    }
}

fn revocations_of(release: &LoadedRelease) -> Result<Revocations, Failure> {
    let bytes = super::bulk_read::read_regular(&release.path, super::bundle_file::MAX_BUNDLE_BYTES)
        .map_err(|e| Failure::io("read", &release.path, &e))?;
    Revocations::from_bundle(&bytes)
        .map_err(|e| Failure::new(format!("{}: {e}", release.path.display())))
}

/// The companions any of the models pins, each once: both releases are loaded with them.
fn models_companions(models: &[ModelText]) -> Vec<Wanted> {
    let mut out: Vec<Wanted> = models
        .iter()
        .flat_map(|m| pinned_companions(&m.file))
        .collect();
    out.sort();
    out.dedup();
    out
}

pub fn run_diff(args: DiffArgs, data: &DataOptions) -> CliResult {
    if data.attack_file.is_some() {
        return Err(
            Failure::new("--attack names one bundle, but diff compares two releases").hint(
                "put both releases in a directory and pass it with --data-dir or ATKMAP_DATA_DIR",
            ),
        );
    }
    if data.version.is_some() {
        return Err(Failure::new("diff takes its releases from --from and --to")
            .hint("drop --attack-version"));
    }
    let models = if args.paths.is_empty() {
        Vec::new()
    } else {
        match read_models(&args.paths)? {
            Some(models) => models,
            None => return Ok(Outcome::Invalid),
        }
    };
    let domain = match &data.domain {
        Some(d) => d.clone(),
        None => {
            let mut pinned: Vec<&str> = models
                .iter()
                .map(|m| m.file.attack.domain.value.name())
                .collect();
            pinned.sort_unstable();
            pinned.dedup();
            match pinned.as_slice() {
                [] => "enterprise".to_string(),
                [one] => one.to_string(),
                _ => {
                    return Err(Failure::new(format!(
                        "the models pin different ATT&CK domains ({})",
                        pinned.join(", ")
                    ))
                    .hint("diff the models of each domain separately, or pick one with --domain"));
                }
            }
        }
    };
    let options = explicit(data);
    let companions = models_companions(&models);
    let from = options.load(Some((&domain, &args.from)), &companions)?;
    let to = options.load(Some((&domain, &args.to)), &companions)?;
    let revocations = revocations_of(&to)?;
    let releases = Releases {
        from: &from.kb,
        to: &to.kb,
        revocations: &revocations,
        today: super::clock::today(),
    };
    let mut diffs = Vec::new();
    for m in &models {
        let pin = m.file.attack.domain.value.name();
        if pin != domain {
            print_stderr(&format!(
                "note: {} pins the {pin} domain; it is compared on {domain}\n",
                m.name
            ));
        }
        diffs.push(upgrade::model_diff::diff(
            &m.text, &m.name, &m.file, &releases,
        ));
    }
    let doc = DiffDocument {
        domain: domain.clone(),
        from: from.kb.release.version.clone(),
        to: to.kb.release.version.clone(),
        release: upgrade::release_diff::diff(&from.kb, &to.kb, &revocations, models.is_empty()),
        models: diffs,
    };
    let text = match args.format {
        DiffFormat::Text => diff_text(&doc),
        DiffFormat::Md => diff_markdown(&doc),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&doc)
                .map_err(|e| Failure::new(format!("cannot serialise the diff: {e}")))?;
            t.push('\n');
            t
        }
    };
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => print_stdout(&text)?,
    }
    Ok(Outcome::Clean)
}

/// A migration and, under `--dry-run`, its diff (the JSON shape of `migrate --format json`).
#[derive(Serialize)]
struct MigrationView<'a> {
    #[serde(flatten)]
    migration: &'a Migration,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
}

#[derive(Serialize)]
struct MigrationDocument<'a> {
    dry_run: bool,
    files: Vec<MigrationView<'a>>,
}

/// Labels of a file in a unified diff: `a/PATH` and `b/PATH` (as git writes them) for relative
/// paths, the path itself for absolute ones.
fn diff_labels(path: &str) -> (String, String) {
    if Path::new(path).is_absolute() {
        (path.to_string(), path.to_string())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    }
}

pub fn run_migrate(args: MigrateArgs, data: &DataOptions) -> CliResult {
    if data.version.is_some() {
        return Err(Failure::new("migrate takes its target release from --to")
            .hint("drop --attack-version"));
    }
    let Some(models) = read_models(&args.paths)? else {
        return Ok(Outcome::Invalid);
    };
    let options = explicit(data);
    // The target: --attack FILE when given (it must be the release asked for), else searched.
    let target_options = DataOptions {
        attack_file: data.attack_file.clone(),
        ..options.clone()
    };
    let mut releases: BTreeMap<(String, String), Option<Rc<LoadedRelease>>> = BTreeMap::new();
    let mut revocations: BTreeMap<String, Rc<Revocations>> = BTreeMap::new();
    let today = super::clock::today();
    let mut migrations = Vec::new();
    let mut errors = Vec::new();
    for m in &models {
        let domain = m.file.attack.domain.value.name().to_string();
        if let Some(d) = &data.domain
            && d != &domain
        {
            errors.push(format!(
                "{} pins the {domain} domain, but --domain asks for {d}",
                m.name
            ));
            continue;
        }
        let target_key = (domain.clone(), format!("target {}", args.to));
        let target = match releases.get(&target_key) {
            Some(Some(t)) => Rc::clone(t),
            _ => {
                let loaded = Rc::new(
                    target_options.load(Some((&domain, &args.to)), &pinned_companions(&m.file))?,
                );
                releases.insert(target_key, Some(Rc::clone(&loaded)));
                loaded
            }
        };
        let rev = match revocations.get(&domain) {
            Some(r) => Rc::clone(r),
            None => {
                let r = Rc::new(revocations_of(&target)?);
                revocations.insert(domain.clone(), Rc::clone(&r));
                r
            }
        };
        let pin = m.file.attack.version.value.clone();
        let source = if same_version(&pin, &target.kb.release.version) {
            Some(Rc::clone(&target))
        } else {
            let key = (domain.clone(), pin.clone());
            match releases.get(&key) {
                Some(s) => s.clone(),
                None => {
                    let loaded = match options
                        .load(Some((&domain, &pin)), &pinned_companions(&m.file))
                    {
                        Ok(l) => Some(Rc::new(l)),
                        Err(e) => {
                            print_stderr(&format!(
                                "note: ATT&CK {domain} {pin} cannot be loaded ({}); the references of {} are matched by ATT&CK ID in {}\n",
                                e.message, m.name, args.to
                            ));
                            None
                        }
                    };
                    releases.insert(key, loaded.clone());
                    loaded
                }
            }
        };
        let input = Input {
            text: &m.text,
            path: &m.name,
            file: &m.file,
            source: source.as_ref().map(|s| &s.kb),
            target: &target.kb,
            revocations: &rev,
            today,
        };
        match upgrade::migrate(&input) {
            Ok(migration) => migrations.push(migration),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        let mut text = String::new();
        for e in &errors {
            text.push_str(&format!("error: {e}\n"));
        }
        text.push_str("no file was written\n");
        print_stderr(&text);
        return Ok(Outcome::Invalid);
    }

    let diffs: Vec<Option<String>> = migrations
        .iter()
        .zip(&models)
        .map(|(migration, m)| {
            (args.dry_run && migration.changed).then(|| {
                let (a, b) = diff_labels(&m.name);
                unified_diff(&m.text, &migration.new_text, &a, &b)
            })
        })
        .collect();
    let summary = migration_text(&migrations, args.dry_run);
    match args.format {
        MigrateFormat::Json => {
            let doc = MigrationDocument {
                dry_run: args.dry_run,
                files: migrations
                    .iter()
                    .zip(&diffs)
                    .map(|(migration, diff)| MigrationView {
                        migration,
                        diff: diff.clone(),
                    })
                    .collect(),
            };
            let mut t = serde_json::to_string_pretty(&doc)
                .map_err(|e| Failure::new(format!("cannot serialise the summary: {e}")))?;
            t.push('\n');
            if !args.dry_run {
                write_all(&models, &migrations)?;
            }
            print_stdout(&t)?;
        }
        MigrateFormat::Text => {
            if args.dry_run {
                let all: String = diffs.iter().flatten().cloned().collect();
                print_stdout(&all)?;
                print_stderr(&summary);
            } else {
                write_all(&models, &migrations)?;
                print_stdout(&summary)?;
            }
        }
    }
    let needs_human = migrations.iter().any(|m| !m.needs_human.is_empty());
    Ok(if args.strict && needs_human {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Writes every changed file atomically, keeping its permissions; a file that changed on disk
/// since it was read is not overwritten.
fn write_all(models: &[ModelText], migrations: &[Migration]) -> Result<(), Failure> {
    for (m, migration) in models.iter().zip(migrations) {
        if !migration.changed {
            continue;
        }
        // Write through a symbolic link to the file it names, not over the link.
        let target = std::fs::canonicalize(&m.path).unwrap_or_else(|_| m.path.clone());
        let current =
            std::fs::read_to_string(&target).map_err(|e| Failure::io("read", &target, &e))?;
        if current != m.text {
            return Err(Failure::new(format!(
                "{} changed on disk while it was being migrated; it was not written",
                m.name
            ))
            .hint("run the migration again"));
        }
        let permissions = std::fs::metadata(&target)
            .map(|meta| meta.permissions())
            .ok();
        write_atomically(&target, migration.new_text.as_bytes())?;
        if let Some(p) = permissions {
            std::fs::set_permissions(&target, p)
                .map_err(|e| Failure::io("restore the permissions of", &target, &e))?;
        }
    }
    Ok(())
}
