//! `atkmap report`, `atkmap graph` and `atkmap paths`: the gap engine from the command line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use atkmap::analysis::findings::Severity;
use atkmap::analysis::{self, ModelAnalysis, Options};
use atkmap::attack::official::Provenance;
use atkmap::graph::SupplyChain;
use atkmap::model::Model;
use atkmap::model::format::ControlStatus;
use atkmap::report::Report;
use atkmap::report::build::{self, CompanionFile, DataSource};
use atkmap::report::render::{self, Format, RenderInputs};
use atkmap::report::sarif::SarifOptions;
use atkmap::report::templates::Templates;

use super::check_cmd::{default_paths, print_diagnostics};
use super::data_source::{DataOptions, LoadedRelease};
use super::failure::{CliResult, Failure, Outcome};
use super::model_files::{CheckedModels, check_files};
use super::output::{print_stderr, print_stdout, write_atomically};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// The stable JSON document (the contract CI scripts read)
    Json,
    /// GitHub-flavoured Markdown for pull-request comments
    Md,
    /// One self-contained HTML file
    Html,
    /// SARIF 2.1.0 for code scanning
    Sarif,
    /// ATT&CK Navigator layer (format 4.5)
    Navigator,
}

impl ReportFormat {
    /// The library's format.
    pub fn format(self) -> Format {
        match self {
            ReportFormat::Json => Format::Json,
            ReportFormat::Md => Format::Md,
            ReportFormat::Html => Format::Html,
            ReportFormat::Sarif => Format::Sarif,
            ReportFormat::Navigator => Format::Navigator,
        }
    }

    /// The file name used in `--output-dir`.
    pub fn file_name(self) -> &'static str {
        self.format().file_name()
    }
}

/// The CI gate's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::None => None,
        }
    }
}

const REPORT_HELP: &str = "\
Formats and outputs: each --format pairs with the -o that follows it, in order
(`--format md -o report.md --format sarif -o report.sarif`); with --output-dir every
format is written there (atkmap-report.json, .md, .html, .sarif, atkmap-layer.json);
one --format without -o goes to standard output. Files are written atomically.

The gate (--fail-on, default high): exit 1 when an exposure with status gap or partial,
not accepted, has a severity at or above the threshold; exit 0 otherwise; exit 2 when the
models are invalid, the ATT&CK data is missing, or the command is misused.";

#[derive(Debug, clap::Args)]
#[command(after_help = REPORT_HELP)]
pub struct ReportArgs {
    /// Model files or directories (default: models/ if present, else .)
    pub paths: Vec<PathBuf>,
    /// Output format; repeat it with -o for several outputs from one run
    #[arg(long, value_enum)]
    pub format: Vec<ReportFormat>,
    /// Write the preceding --format to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Write every --format (all formats when none is given) into DIR
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when an open exposure is at or above this severity
    #[arg(long, value_enum, default_value = "high", value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// An earlier JSON report (main's, say): mark each exposure new, worse, unchanged, better or gone
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: the gate counts only exposures that are new or worse
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Directory of templates overriding the built-in ones by name (report.md, report.html)
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
    /// Attack paths per (actor, data asset) pair (at most 100)
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = parse_paths_per_pair)]
    pub paths_per_pair: usize,
    /// Most characters of the Markdown report (0: no limit); the long tables shrink to fit a
    /// pull-request comment (GitHub takes 65,536)
    #[arg(long, value_name = "N", default_value_t = atkmap::report::markdown::DEFAULT_MAX_CHARS)]
    pub md_max_chars: usize,
    /// Most steps of the fix plan (0: no plan)
    #[arg(long, value_name = "N", default_value_t = atkmap::analysis::plan::MAX_STEPS)]
    pub plan_steps: usize,
    /// Recompute as if a control had this status: CONTROL=implemented|partial|planned (repeatable)
    #[arg(long, value_name = "CONTROL=STATUS", value_parser = parse_assumption)]
    pub assume: Vec<(String, ControlStatus)>,
    /// Recompute as if a fix were in place: MITIGATION@SYSTEM (M1032@vendor-idp),
    /// STRATEGY@SYSTEM (DET0123@bank-app) or a control id raised to implemented; the syntax of
    /// the plan's `fix` (repeatable)
    #[arg(long, value_name = "FIX")]
    pub assume_fix: Vec<String>,
    /// SARIF: model paths relative to DIR (default: the git root around the working directory)
    #[arg(long, value_name = "DIR")]
    pub sarif_root: Option<PathBuf>,
    /// SARIF: write this analysis category as runs[].automationDetails.id (by default none, so
    /// the upload's own `category` applies)
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// How an invalid model is reported: every diagnostic (full), or one line per file that
    /// points at `atkmap check` (summary: for a gate next to a check, as the pre-commit hooks)
    #[arg(long, value_enum, default_value = "full", value_name = "HOW")]
    pub diagnostics: DiagnosticsShown,
}

/// How much of an invalid model's diagnostics `report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticsShown {
    Full,
    Summary,
}

/// Most attack paths per (actor, data asset): more are not read, and each costs search work.
const MAX_PATHS_PER_PAIR: usize = 100;

fn parse_paths_per_pair(text: &str) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("expected a number of paths, found `{text}`"))?;
    if n > MAX_PATHS_PER_PAIR {
        return Err(format!(
            "at most {MAX_PATHS_PER_PAIR} paths per actor and data asset (found {n})"
        ));
    }
    Ok(n)
}

fn parse_assumption(text: &str) -> Result<(String, ControlStatus), String> {
    let (control, status) = text
        .split_once('=')
        .ok_or_else(|| format!("expected CONTROL=STATUS, found `{text}`"))?;
    let status = match status {
        "implemented" => ControlStatus::Implemented,
        "partial" => ControlStatus::Partial,
        "planned" => ControlStatus::Planned,
        other => {
            return Err(format!(
                "unknown status `{other}`: use implemented, partial or planned"
            ));
        }
    };
    Ok((control.to_string(), status))
}

/// Checks the models and stops with the diagnostics when any has errors.
fn checked_models(
    paths: Vec<PathBuf>,
    data: &DataOptions,
    shown: DiagnosticsShown,
) -> Result<Result<CheckedModels, Outcome>, Failure> {
    let checked = check_files(&default_paths(paths), data, super::clock::today())?;
    if checked.errors() > 0 {
        match shown {
            DiagnosticsShown::Full => print_diagnostics(&checked),
            DiagnosticsShown::Summary => print_invalid_files(&checked),
        }
        return Ok(Err(Outcome::Invalid));
    }
    Ok(Ok(checked))
}

/// One line per invalid file, for a gate that runs next to `atkmap check` (which shows why).
fn print_invalid_files(checked: &CheckedModels) {
    let mut errors: BTreeMap<&str, usize> = BTreeMap::new();
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        *errors.entry(d.file.as_str()).or_default() += 1;
    }
    let text: String = errors
        .iter()
        .map(|(file, n)| {
            format!(
                "{}: invalid ({n} error{}); `atkmap check {}` shows them\n",
                atkmap::diag::render::visible(file),
                if *n == 1 { "" } else { "s" },
                atkmap::diag::render::visible(file)
            )
        })
        .collect();
    print_stderr(&text);
}

/// Builds the report of checked models; all must pin one release.
pub fn build_report(checked: &CheckedModels, options: &Options) -> Result<Report, Failure> {
    let mut release: Option<&LoadedRelease> = None;
    let mut models = Vec::new();
    for file in &checked.files {
        let (Some(model), Some(loaded)) = (&file.model, &file.release) else {
            continue;
        };
        if let Some(previous) = release
            && !std::ptr::eq(previous, loaded.as_ref())
        {
            return Err(Failure::new(format!(
                "{} pins ATT&CK {} {}, but other models of this report pin another release",
                model.file, model.domain, model.version
            ))
            .hint("report models pinned to different releases separately"));
        }
        release = Some(loaded.as_ref());
        models.push(model);
    }
    let Some(loaded) = release else {
        return Err(Failure::new("no model to report on"));
    };
    Ok(build::build(
        &data_source(loaded),
        &models,
        &checked.diagnostics,
        options,
    )?)
}

/// The release as the report shows it: paths relative to the working directory or home.
fn data_source(loaded: &LoadedRelease) -> DataSource<'_> {
    let file = shown_path(&loaded.path);
    DataSource {
        kb: &loaded.kb,
        // A bundle that is not verifiably MITRE's is said first (the path as reports show it).
        provenance_warning: loaded
            .provenance_warning()
            .map(|w| w.replace(&loaded.path.display().to_string(), &file)),
        file,
        sha256: loaded.sha256.clone(),
        official: loaded.provenance == Provenance::Official,
        companions: loaded
            .companions
            .iter()
            .map(|c| CompanionFile {
                framework: c.framework,
                file: shown_path(&c.path),
                sha256: c.sha256.clone(),
                official: c.official,
            })
            .collect(),
    }
}

/// A data file's path as reports show it: relative to the working directory when it is below
/// it, `~/...` below the home directory, else as found. Reports are published (pull-request
/// comments, artifacts): they should not spell out the machine's layout.
fn shown_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().ok();
    if let Some(relative) = cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        return relative.display().to_string();
    }
    if let Some(relative) = dirs::home_dir()
        .as_deref()
        .and_then(|h| path.strip_prefix(h).ok())
    {
        return format!("~/{}", relative.display());
    }
    path.display().to_string()
}

/// Where each requested format goes.
fn destinations(args: &ReportArgs) -> Result<Vec<(ReportFormat, Option<PathBuf>)>, Failure> {
    if let Some(dir) = &args.output_dir {
        let formats = if args.format.is_empty() {
            vec![
                ReportFormat::Json,
                ReportFormat::Md,
                ReportFormat::Html,
                ReportFormat::Sarif,
                ReportFormat::Navigator,
            ]
        } else {
            args.format.clone()
        };
        std::fs::create_dir_all(dir).map_err(|e| Failure::io("create", dir, &e))?;
        return Ok(formats
            .into_iter()
            .map(|f| (f, Some(dir.join(f.file_name()))))
            .collect());
    }
    let formats = if args.format.is_empty() {
        vec![ReportFormat::Json]
    } else {
        args.format.clone()
    };
    match (formats.len(), args.output.len()) {
        (1, 0) => Ok(vec![(formats[0], None)]),
        // `-o -` is standard output, as every command-line tool has it.
        (f, o) if f == o => Ok(formats
            .into_iter()
            .zip(
                args.output
                    .iter()
                    .map(|p| (p.as_os_str() != "-").then(|| p.clone())),
            )
            .collect()),
        (f, o) => Err(Failure::new(format!(
            "{f} --format but {o} -o: give one -o FILE after each --format"
        ))
        .hint("or write every format into a directory with --output-dir DIR")),
    }
}

/// An output may not be one of the run's inputs: `report a.yaml --format md -o a.yaml` would
/// replace the model with its own report.
fn refuse_overwriting_inputs(
    destinations: &[(ReportFormat, Option<PathBuf>)],
    checked: &CheckedModels,
    baseline: Option<&PathBuf>,
) -> Result<(), Failure> {
    let same = |a: &std::path::Path, b: &std::path::Path| match (
        std::fs::canonicalize(a),
        std::fs::canonicalize(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let inputs: Vec<&std::path::Path> = checked
        .files
        .iter()
        .map(|f| f.path.as_path())
        .chain(baseline.map(PathBuf::as_path))
        .collect();
    for path in destinations.iter().filter_map(|(_, p)| p.as_ref()) {
        if let Some(input) = inputs.iter().find(|i| same(path, i)) {
            return Err(Failure::new(format!(
                "-o {} would overwrite {}, an input of this report",
                path.display(),
                input.display()
            ))
            .hint("write the report to another file"));
        }
    }
    Ok(())
}

/// The largest template atkmap reads.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// Reads the user's template overrides: every file in DIR, by name.
fn template_overrides(dir: Option<&PathBuf>) -> Result<Templates, Failure> {
    let Some(dir) = dir else {
        return Ok(Templates::builtin());
    };
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure::io("read template directory", dir, &e))?;
    let mut overrides = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let bytes = super::bulk_read::read_regular(&path, MAX_TEMPLATE_BYTES)
            .map_err(|e| Failure::io("read template", &path, &e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::new(format!("{}: not UTF-8 text", path.display())))?;
        overrides.insert(name, (text, path.display().to_string()));
    }
    Ok(Templates::new(overrides))
}

/// The companions' Navigator layers (one per framework, for the domain each publishes), next to
/// the ATT&CK layer's file: `layer.json` -> `layer-f3.json`, `layer-atlas.json`.
fn companion_layers(
    report: &Report,
    attack_layer: Option<&std::path::Path>,
) -> Result<Vec<(String, Option<PathBuf>)>, Failure> {
    let layers = render::companion_layers(report)?;
    if layers.is_empty() {
        return Ok(Vec::new());
    }
    let Some(path) = attack_layer else {
        print_stderr(
            "note: the F3 and ATLAS Navigator layers are written next to the ATT&CK layer's \
             file: give -o FILE or --output-dir DIR\n",
        );
        return Ok(Vec::new());
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "layer".to_string());
    let extension = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    Ok(layers
        .into_iter()
        .map(|(id, text)| {
            (
                text,
                Some(path.with_file_name(format!("{stem}-{id}{extension}"))),
            )
        })
        .collect())
}

pub fn run_report(args: ReportArgs, data: &DataOptions) -> CliResult {
    let destinations = destinations(&args)?;
    let templates = template_overrides(args.template.as_ref())?;
    let checked = match checked_models(args.paths.clone(), data, args.diagnostics)? {
        Ok(c) => c,
        Err(outcome) => return Ok(outcome),
    };
    let options = Options {
        paths_per_pair: args.paths_per_pair,
        assume: args.assume.clone(),
        fixes: args.assume_fix.clone(),
        plan_steps: args.plan_steps,
        ..Options::new(super::clock::today())
    };
    let mut report = build_report(&checked, &options)?;
    let compared = match &args.baseline {
        Some(path) => apply_baseline(&mut report, path)?,
        None => false,
    };
    refuse_overwriting_inputs(&destinations, &checked, args.baseline.as_ref())?;
    let models: Vec<&Model> = checked
        .files
        .iter()
        .filter_map(|f| f.model.as_ref())
        .collect();
    let diagrams = render::diagrams(&models, &report);
    // Render everything before writing anything: a failing template leaves no partial set.
    let inputs = RenderInputs {
        templates: &templates,
        diagrams: &diagrams,
        md_max_chars: (args.md_max_chars > 0).then_some(args.md_max_chars),
        sarif: sarif_options(&args, &report),
    };
    let mut rendered = Vec::new();
    {
        // A user's template is bounded in memory too (the engine bounds only its steps).
        let _guard = args.template.is_some().then(|| {
            super::memory_guard::watch(
                super::memory_guard::TEMPLATE_MEMORY_BYTES,
                "the template (--template)",
            )
        });
        for (format, path) in destinations {
            let text = render::render(format.format(), &report, &inputs)?;
            rendered.push((text, path.clone()));
            if format == ReportFormat::Navigator {
                rendered.extend(companion_layers(&report, path.as_deref())?);
            }
        }
    }
    for (text, path) in rendered {
        match path {
            Some(path) => write_atomically(&path, text.as_bytes())?,
            None => print_stdout(&text)?,
        }
    }
    let outcome = gate(&report, args.fail_on, args.fail_on_new && compared);
    // The process ends here: the operating system takes the memory back at once, where freeing
    // a large report's millions of strings one by one took an eighth of the run on a
    // 10,000-system model.
    std::mem::forget(report);
    std::mem::forget(checked);
    Ok(outcome)
}

/// Model paths relative to the repository root, and the category when asked for.
fn sarif_options(args: &ReportArgs, report: &Report) -> SarifOptions {
    let root_relative = super::repository_root::find(args.sarif_root.as_deref())
        .map(|root| {
            super::repository_root::relative_paths(
                &root,
                report.models.iter().map(|m| m.file.as_str()),
            )
        })
        .unwrap_or_default();
    SarifOptions {
        root_relative,
        category: args.sarif_category.clone(),
    }
}

/// Says why there is nothing to compare with; `false`: no comparison was made.
fn no_baseline(why: &str) -> bool {
    print_stderr(&format!(
        "atkmap: {why}: nothing to compare with, so the gate applies --fail-on to every open \
         exposure\n"
    ));
    false
}

/// The largest baseline atkmap reads (the JSON report of a 10,000-system model is ~340 MB).
const MAX_BASELINE_BYTES: u64 = 1 << 30;

/// The parts of a baseline report the comparison reads.
#[derive(serde::Deserialize, serde::Serialize)]
struct SlimBaseline {
    #[serde(default, skip_serializing)]
    models: Vec<serde::de::IgnoredAny>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exposures: Option<Vec<SlimExposure>>,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct SlimExposure {
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    technique: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<String>,
}

/// Compares the report with the baseline at `path`; `false` when there is none to compare
/// with: the file is missing, or it holds no model (the target branch of an adoption pull
/// request has no models yet). Then every exposure is judged on its own (`--fail-on`), not as
/// "new", and stderr says so.
fn apply_baseline(report: &mut Report, path: &std::path::Path) -> Result<bool, Failure> {
    let text = match super::bulk_read::read_regular(path, MAX_BASELINE_BYTES) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(no_baseline(&format!("no baseline at {}", path.display())));
        }
        Err(e) => return Err(Failure::io("read the baseline", path, &e)),
    };
    // Only what the comparison uses is kept: a whole report as a JSON tree takes ten times
    // its size in memory.
    let slim: SlimBaseline = serde_json::from_slice(&text).map_err(|e| {
        Failure::new(format!(
            "{}: not an atkmap JSON report: {e}",
            path.display()
        ))
        .hint("the baseline is an earlier `atkmap report --format json` output")
    })?;
    drop(text);
    if slim.models.is_empty() && slim.exposures.as_ref().is_some_and(Vec::is_empty) {
        return Ok(no_baseline(&format!(
            "the baseline {} holds no model",
            path.display()
        )));
    }
    let value = serde_json::to_value(&slim).map_err(|e| Failure::new(e.to_string()))?;
    atkmap::report::baseline::compare(report, &value, &path.display().to_string())
        .map_err(|e| Failure::new(format!("{} is not a usable baseline: {e}", path.display())))?;
    Ok(true)
}

/// Applies `--fail-on` and says on stderr what it found.
fn gate(report: &Report, fail_on: FailOn, only_regressions: bool) -> Outcome {
    let Some(threshold) = fail_on.threshold() else {
        return Outcome::Clean;
    };
    let failing: Vec<_> = report.failing(threshold, only_regressions).collect();
    if failing.is_empty() {
        return Outcome::Clean;
    }
    let mut by_severity = BTreeMap::new();
    for e in &failing {
        *by_severity
            .entry(std::cmp::Reverse(e.severity))
            .or_insert(0) += 1;
    }
    let counts: Vec<String> = by_severity
        .iter()
        .map(|(s, n)| format!("{n} {}", s.0.label()))
        .collect();
    let mut message = format!(
        "atkmap: {} {}open exposure{} at or above {} ({}); failing (exit 1)\n",
        failing.len(),
        if only_regressions {
            "new or worse "
        } else {
            ""
        },
        if failing.len() == 1 { "" } else { "s" },
        threshold.label(),
        counts.join(", ")
    );
    // Logs of pre-commit and CI show nothing else: name the worst findings.
    let findings = report.failing_findings(threshold, only_regressions);
    for f in findings.iter().take(GATE_FINDINGS) {
        message.push_str(&format!(
            "  {:<8} {} {} on {}, by {} (risk {}; {}:{}:{})\n",
            f.severity.label(),
            f.technique,
            f.technique_name,
            f.system,
            f.actors.join(", "),
            f.risk,
            f.location.file,
            f.location.line,
            f.location.column
        ));
    }
    if findings.len() > GATE_FINDINGS {
        message.push_str(&format!(
            "  … and {} more failing finding{} (see the report)\n",
            findings.len() - GATE_FINDINGS,
            if findings.len() - GATE_FINDINGS == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    // Names and ids come from the model: never let them drive the terminal.
    print_stderr(&atkmap::diag::render::visible(&message));
    Outcome::Findings
}

/// How many failing findings the gate names on standard error.
const GATE_FINDINGS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// One model file
    pub path: PathBuf,
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
}

/// The one valid model of a single-file command, and its analysis.
fn single_model(
    path: PathBuf,
    data: &DataOptions,
    options: &Options,
) -> Result<Result<(Model, ModelAnalysis), Outcome>, Failure> {
    let checked = match checked_models(vec![path], data, DiagnosticsShown::Full)? {
        Ok(c) => c,
        Err(outcome) => return Ok(Err(outcome)),
    };
    let Some(file) = checked.files.into_iter().next() else {
        return Err(Failure::new("no model file given"));
    };
    let (Some(model), Some(release)) = (file.model, file.release) else {
        return Err(Failure::new(format!(
            "{} could not be read",
            file.path.display()
        )));
    };
    let analysis =
        analysis::analyze(&model, &release.kb, options).map_err(|e| Failure::new(e.to_string()))?;
    Ok(Ok((model, analysis)))
}

pub fn run_graph(args: GraphArgs, data: &DataOptions) -> CliResult {
    let options = Options {
        plan_steps: 0,
        ..Options::new(super::clock::today())
    };
    let (model, analysis) = match single_model(args.path, data, &options)? {
        Ok(m) => m,
        Err(outcome) => return Ok(outcome),
    };
    let chain = SupplyChain::build(&model, &analysis.actor_techniques);
    let highlights = render::highlights(&model, &analysis);
    let text = match args.format {
        GraphFormat::Mermaid => chain.to_mermaid(&highlights),
        GraphFormat::Dot => chain.to_dot(&highlights),
        GraphFormat::Json => {
            let mut t = serde_json::to_string_pretty(&chain.to_json())
                .map_err(|e| Failure::new(format!("cannot serialise the graph: {e}")))?;
            t.push('\n');
            t
        }
    };
    print_stdout(&text)?;
    Ok(Outcome::Clean)
}

#[derive(Debug, clap::Args)]
pub struct PathsArgs {
    /// One model file
    pub path: PathBuf,
    /// Only paths of this actor
    #[arg(long, value_name = "ACTOR")]
    pub from: Option<String>,
    /// Only paths to this data asset
    #[arg(long, value_name = "DATA")]
    pub to: Option<String>,
    /// Paths per (actor, data asset) pair
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub paths_per_pair: usize,
}

pub fn run_paths(args: PathsArgs, data: &DataOptions) -> CliResult {
    let options = Options {
        paths_per_pair: args.paths_per_pair,
        plan_steps: 0,
        ..Options::new(super::clock::today())
    };
    let (model, analysis) = match single_model(args.path, data, &options)? {
        Ok(m) => m,
        Err(outcome) => return Ok(outcome),
    };
    for (flag, id, exists) in [
        (
            "--from",
            &args.from,
            args.from.as_deref().map(|a| model.actor_index(a).is_some()),
        ),
        (
            "--to",
            &args.to,
            args.to.as_deref().map(|d| model.data_index(d).is_some()),
        ),
    ] {
        if exists == Some(false) {
            return Err(Failure::new(format!(
                "{flag} names `{}`, which the model does not define",
                id.as_deref().unwrap_or_default()
            )));
        }
    }
    let mut out = String::new();
    let selected = analysis.paths.iter().filter(|p| {
        args.from.as_deref().is_none_or(|a| p.actor == a)
            && args.to.as_deref().is_none_or(|d| p.data == d)
    });
    let mut count = 0;
    for path in selected {
        count += 1;
        let start = match &path.via_data {
            Some(d) => format!("by reusing {d}"),
            None => "through an entry system".to_string(),
        };
        out.push_str(&format!("{} -> {} ({start})\n", path.actor, path.data));
        for (i, hop) in path.hops.iter().enumerate() {
            out.push_str(&format!(
                "  {}. {}  gaps: {}\n",
                i + 1,
                hop.system,
                hop.techniques.join(", ")
            ));
        }
    }
    if count == 0 {
        out.push_str(
            "no attack path reaches confidential or restricted data through systems with gaps\n",
        );
    }
    print_stdout(&out)?;
    Ok(Outcome::Clean)
}
