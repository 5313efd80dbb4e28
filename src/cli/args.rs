//! Command-line arguments (clap). Doc comments are the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status:
  0  success: the model is valid, the operation is allowed
  1  a negative answer: the operation is not allowed, no path exists
  2  an error in the command line, the model or the tool
  3  the answer is unknown (query)

Examples:
  mlaccess validate models/contoso-ml.yaml
  mlaccess query models/contoso-ml.yaml 'can any user reach data of mlstore directly'
  mlaccess permissions models/contoso-ml.yaml alice --at mlws
  mlaccess permissions models/contoso-ml.yaml alice --at mlws \\
      --action Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action";

/// Proves who can reach what in an Azure Machine Learning estate.
///
/// mlaccess loads a model of an Azure tenant (YAML or JSON) and answers access questions with Azure's
/// own rules, with the evidence behind every answer.
#[derive(Debug, Parser)]
#[command(name = "mlaccess", version, about, long_about, after_help = AFTER_HELP)]
pub struct Cli {
    /// When to colour text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "MLACCESS_COLOR")]
    pub color: ColorChoice,

    /// Write how long each stage took (reading, loading, each part of the graph build, the answer)
    /// to standard error: where a long run on a large estate goes.
    #[arg(long, global = true, env = "MLACCESS_TIMINGS", value_parser = clap::builder::BoolishValueParser::new())]
    pub timings: bool,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a model file and report every problem at once.
    ///
    /// Each problem names the file, line and column, the field path, what was expected and, for an
    /// unknown name, the nearest known names. Exit status 0 when the model is valid, 2 when it is not.
    #[command(
        after_help = "Examples:\n  mlaccess validate models/contoso-ml.yaml\n  cat model.json | mlaccess validate -"
    )]
    Validate(ValidateArgs),

    /// Show the effective permissions of a principal, and whether it may perform one operation.
    ///
    /// Like the "Check access" page of the Azure portal, offline and explained: every role assignment
    /// that applies (held directly or through groups, at the scope or inherited), the permission block
    /// and pattern that grant an operation, deny assignments, and conditions that could not be
    /// evaluated. With --action, exit status 0 means allowed and 1 not allowed.
    #[command(after_help = "Examples:\n  mlaccess permissions models/contoso-ml.yaml alice\n  \
        mlaccess permissions models/contoso-ml.yaml alice --at mlws --expand\n  \
        mlaccess permissions models/contoso-ml.yaml ml-team --at rg:rg-ml-prod \\\n      \
        --action Microsoft.Authorization/roleAssignments/write --format json")]
    Permissions(PermissionsArgs),

    /// Answer an access question: yes with the path, no with what was proved, or unknown with why.
    ///
    /// QUERY is one line of the query language (docs/queries.md):
    ///   can WHO reach WHAT [CONSTRAINT]...
    ///   who can reach WHAT [CONSTRAINT]...
    ///   what can WHO reach [CONSTRAINT]...
    /// WHO: NAME, `members of GROUP`, `any user`, `any group`, `any service principal`, `any identity`,
    /// `any principal`, `anyone from LOCATION`.
    /// WHAT: `data-read of`, `data-write of`, `data of`, `secrets of`, `control of`, `assign on`,
    /// `exec on`, `act-as`, `invoke`, `push to`, `use`, followed by a name.
    /// CONSTRAINT: `avoiding CHANNEL[, CHANNEL]`, `directly`, `from LOCATION`, `excluding P[, P]`,
    /// `within N steps`, `ignoring network`.
    /// Exit status: 0 yes, 1 no, 2 error, 3 unknown.
    #[command(
        after_help = "Examples:\n  mlaccess query models/contoso-ml.yaml 'can any user reach data of mlstore directly'\n  \
        mlaccess query models/contoso-ml.yaml 'who can reach assign on rg:rg-ml-prod'\n  \
        mlaccess query models/contoso-ml.yaml 'can bob reach data-read of mlstoredev avoiding azureml'\n  \
        mlaccess query models/contoso-ml.yaml 'what can dave reach' --format json"
    )]
    Query(QueryArgs),

    /// Check suites of expectations (least privilege, in CI): every expectation must hold.
    ///
    /// A suite is a YAML file of `{name, query, expect, why}` (docs/queries.md); a directory means every
    /// suite file in it. Expectations are decided in parallel; output is in suite order. The network is
    /// decided (by Z3) only when some expectation's query does not say `ignoring network`. Exit status:
    /// 0 every expectation holds, 1 some fail, 2 an error, 3 none fails but some answer is unknown.
    #[command(
        after_help = "Examples:\n  mlaccess check models/contoso-ml.yaml queries/contoso-ml\n  \
        mlaccess check models/contoso-ml.yaml queries/contoso-ml --sarif results.sarif --junit results.xml\n  \
        mlaccess check new.yaml queries/ --baseline old.yaml      # fail only on new access"
    )]
    Check(CheckArgs),

    /// What would a change open? Apply a change file to the model (in memory) and compare access.
    ///
    /// The change file (docs/model-format.md, Change files) adds, removes or sets role assignments,
    /// group members, credentials, role definitions, resource properties and NSG rules. Prints, for every
    /// principal and location, the capabilities gained (with --witnesses, the path to each) and lost, and
    /// the suite expectations whose outcome flips. Exit status 1 when the change opens new access, 0 when
    /// it provably does not, 3 when no new access was found but something stayed undecided, 2 on an
    /// error. No file is modified.
    #[command(after_help = "Examples:\n  \
        mlaccess whatif models/contoso-ml.yaml --change models/changes/ml-team-contributor.yaml\n  \
        mlaccess whatif models/contoso-ml.yaml --change models/changes/mlstore-no-shared-key.yaml queries/contoso-ml\n  \
        mlaccess whatif models/contoso-ml.yaml --change change.json --format json --witnesses")]
    Whatif(WhatifArgs),

    /// Compare two snapshots of a model: access gained and lost, and suite expectations that flip.
    ///
    /// Exit status 1 when the new model has access the old one did not, 0 when it provably has none, 3
    /// when none was found but something stayed undecided, 2 on an error.
    #[command(after_help = "Examples:\n  mlaccess diff last-week.yaml today.yaml\n  \
        mlaccess diff last-week.yaml today.yaml queries/ --format json")]
    Diff(DiffArgs),

    /// Draw the privilege paths around a principal or resource (Graphviz DOT or SVG).
    ///
    /// With --focus on a principal: the shortest path to everything it reaches. On a resource: the
    /// shortest path of everyone who reaches a capability on it. Without --focus: every actor's paths.
    /// Facts are nodes shaped by kind and grouped by resource; steps are edges styled by channel; a
    /// legend explains both.
    #[command(after_help = "Examples:\n  \
        mlaccess graph models/contoso-ml.yaml --focus alice --format svg -o alice.svg\n  \
        mlaccess graph models/contoso-ml.yaml --focus mlstore --depth 4 | dot -Tpng > mlstore.png")]
    Graph(GraphArgs),

    /// Propose the cheapest removals that make failing expectations hold, as a change file.
    ///
    /// Role assignments, group memberships and credentials used by the failing expectations' paths are
    /// the candidates; Z3's optimizer picks the cheapest set (people's assignments, memberships and
    /// credentials cost 1, assignments of service principals and managed identities 4) that cuts every
    /// path without breaking an expectation that holds, and every choice is re-checked on the changed
    /// model. The change file goes to standard output (or -o); check it with `whatif`. Exit status 0
    /// when every failing expectation is fixed, 1 when some cannot be fixed by removals, 3 when some
    /// were undecided, 2 on an error.
    #[command(after_help = "Examples:\n  \
        mlaccess fix models/contoso-ml.yaml tests/fixtures/suites/violated.yaml > fix.yaml\n  \
        mlaccess whatif models/contoso-ml.yaml --change fix.yaml tests/fixtures/suites/violated.yaml")]
    Fix(FixArgs),

    /// Turn exports of a real estate into a model file.
    ///
    /// `azure` reads a folder of JSON exported from Azure (scripts/export-azure.sh writes one):
    /// resources with their properties, role assignments, custom roles, deny assignments and Entra
    /// users, groups, members, service principals and app owners. Overlays add what no export holds (who
    /// holds which SSH key, where people work from). Prints a summary of what was imported, kept as a
    /// generic resource, left out, and what must come from an overlay. Exit status 0 when the model was
    /// written, 2 on an error.
    #[command(after_help = "Examples:
          scripts/export-azure.sh -o azure-export
          mlaccess import azure azure-export -o model.yaml
          mlaccess import azure azure-export --overlay people.yaml -o model.yaml
                  mlaccess import azure tests/fixtures/azure-export/contoso --format json -o model.yaml\n  \
        mlaccess import azurehound tests/fixtures/azurehound/contoso-azurehound.json -o entra.yaml")]
    Import(ImportArgs),

    /// Write a model in another form: the model itself (YAML or JSON, with overlays merged), or its
    /// access graph as BloodHound OpenGraph JSON.
    ///
    /// `yaml` and `json` write the model file format (docs/model-format.md) with every overlay merged
    /// in: one file to review or to hand on. `bloodhound` writes the access graph for BloodHound's
    /// OpenGraph ingest (docs/bloodhound.md): principals, resources and capabilities as nodes, steps as
    /// edges with their rule ids. Exit status 0, or 2 on an error.
    #[command(after_help = "Examples:
          mlaccess export models/contoso-ml.yaml --format json -o contoso.json
          mlaccess export model.yaml --overlay people.yaml -o merged.yaml
          mlaccess export models/contoso-ml.yaml --format bloodhound -o contoso-opengraph.json")]
    Export(ExportArgs),

    /// Generate a realistic synthetic estate of a given size (for benchmarks and trials at scale).
    ///
    /// Nested groups (up to depth 6), assignments at every scope level drawn from real built-in roles,
    /// custom roles, deny assignments, and per workspace its storage, vault, registry, computes with
    /// identities and SSH keys, endpoints, datastores, a VNet with NSGs and private endpoints. The same
    /// size and seed always give the same bytes. Sizes: S (1k users), M (10k users, ~100k role
    /// assignments), L (100k users, ~1M role assignments); --users/--groups/--workspaces override.
    #[command(after_help = "Examples:\n  \
        mlaccess gen --size S -o estate-s.json\n  \
        mlaccess gen --size M --seed 7 --format yaml -o estate-m.yaml\n  \
        mlaccess gen --users 500 --groups 50 --workspaces 3 -o small.json")]
    Gen(GenArgs),
}

/// Arguments of `gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// A named size: S, M or L.
    #[arg(long, value_name = "S|M|L", default_value = "S")]
    pub size: String,

    /// Number of users (overrides the size's).
    #[arg(long, value_name = "N")]
    pub users: Option<usize>,

    /// Number of groups (overrides the size's).
    #[arg(long, value_name = "G")]
    pub groups: Option<usize>,

    /// Number of workspaces (overrides the size's).
    #[arg(long, value_name = "W")]
    pub workspaces: Option<usize>,

    /// The seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// The model format to write (JSON loads fastest).
    #[arg(long, value_enum, default_value_t = GenFormat::Json)]
    pub format: GenFormat,

    /// Write here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// Forms `gen` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// What to write.
    #[arg(long, value_enum, default_value_t = ExportFormat::Yaml)]
    pub format: ExportFormat,

    /// Write here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Timeout of each solver call (bloodhound), in milliseconds; a timeout leaves the step in the
    /// graph as undecided, never removes it.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
}

/// Forms `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The model format, as YAML.
    Yaml,
    /// The model format, as JSON.
    Json,
    /// BloodHound OpenGraph ingest JSON of the access graph.
    Bloodhound,
}

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

/// What an import reads.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A folder (or files) of JSON exported from Azure Resource Manager, Resource Graph and Entra.
    Azure(ImportInputs),
    /// AzureHound output files (`azurehound list ... -o FILE.json`): Entra principals, memberships,
    /// owners, key vaults, VMs and role assignments. AzureHound collects no ML resources and no network;
    /// the summary says what to add with `import azure` or an overlay.
    #[command(name = "azurehound")]
    AzureHound(ImportInputs),
}

/// The inputs and outputs of an import.
#[derive(Debug, Args)]
pub struct ImportInputs {
    /// Export folders (every `*.json` in them, recursively) or JSON files.
    #[arg(required = true, value_name = "DIR|FILE")]
    pub inputs: Vec<String>,

    /// A model file merged over the import (repeat for several): credentials, locations, gateways.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<String>,

    /// Write the model here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Format of the summary: text on standard error, or JSON on standard output (needs -o).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats of commands that answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For machines (schema in docs/json-output.md).
    Json,
}

/// The engines that can decide a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Forward chaining over the access graph.
    Graph,
    /// Z3's fixedpoint (Datalog) engine over the same rule instances.
    Smt,
    /// Both; a disagreement is an internal error.
    Both,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// A model: one file, and further files merged over it.
#[derive(Debug, Clone, Args)]
pub struct ModelArg {
    /// The model file (YAML or JSON by extension; `-` reads standard input).
    pub model: String,

    /// A model file merged over it (repeat for several, merged in order): e.g. who holds which SSH
    /// key, or where people work from, over an imported estate. Named things merge field by field;
    /// two files giving one field different values is an error naming both.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<String>,
}

impl ModelArg {
    /// The same overlays over another base model.
    pub fn with_base(&self, model: &str) -> ModelArg {
        ModelArg {
            model: model.to_string(),
            overlays: self.overlays.clone(),
        }
    }
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, env = "MLACCESS_FORMAT")]
    pub format: Format,
}

/// Arguments of `permissions`.
#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// The principal: a user, group, service principal or managed identity, by name or object id (a
    /// resource's name means its system-assigned identity).
    pub principal: String,

    /// The scope: `/`, `subscription`, `/subscriptions/ID`, `rg:NAME`, a resource name, `workspace/child`,
    /// or a full resource id. Without it, every assignment the principal holds is listed.
    #[arg(long, value_name = "SCOPE")]
    pub at: Option<String>,

    /// An operation to decide at the scope, e.g. Microsoft.Storage/storageAccounts/listKeys/action.
    #[arg(long, value_name = "OPERATION", requires = "at")]
    pub action: Option<String>,

    /// Treat --action as a data action (only needed for operations the catalogue does not list).
    #[arg(long, requires = "action")]
    pub data_action: bool,

    /// For role-assignment writes: the role being assigned (name or GUID), so conditions that limit the
    /// assignable roles can be evaluated.
    #[arg(long, value_name = "ROLE", requires = "action")]
    pub assigning: Option<String>,

    /// List the concrete operations (from Azure's catalogue of provider operations) allowed at the scope.
    #[arg(long, requires = "at")]
    pub expand: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, env = "MLACCESS_FORMAT")]
    pub format: Format,
}

/// Arguments of `query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// The question, in the query language (quote it).
    pub query: String,

    /// How many witness paths to print for `can` queries, shortest first.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub paths: usize,

    /// Print the rule documentation of every rule a witness uses.
    #[arg(long)]
    pub explain: bool,

    /// Which engine decides: the graph engine, Z3's fixedpoint engine, or both (they must agree).
    #[arg(long, value_enum, default_value_t = Engine::Graph)]
    pub engine: Engine,

    /// Timeout of each solver call, in milliseconds; a timeout makes the answer unknown, never no.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,

    /// Write the SMT-LIB of every solver question into this directory.
    #[arg(long, value_name = "DIR")]
    pub dump_smt: Option<std::path::PathBuf>,

    /// Output format: text, JSON, or a picture of the witnesses (DOT, or SVG drawn by Graphviz's `dot`).
    #[arg(long, value_enum, default_value_t = QueryFormat::Text, env = "MLACCESS_FORMAT")]
    pub format: QueryFormat,
}

/// Output formats of `query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// For people.
    Text,
    /// For machines (schema in docs/json-output.md).
    Json,
    /// Graphviz DOT of the witnesses, the first highlighted.
    Dot,
    /// SVG of the witnesses (needs Graphviz's `dot`).
    Svg,
}

/// Formats of pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PictureFormat {
    /// Graphviz DOT.
    Dot,
    /// SVG (needs Graphviz's `dot`).
    Svg,
}

/// Arguments of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Centre the picture on a principal (what it reaches) or a resource (who reaches it), by name.
    #[arg(long, value_name = "NAME")]
    pub focus: Option<String>,

    /// Leave out paths longer than this many rule applications.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub depth: u32,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PictureFormat::Dot)]
    pub format: PictureFormat,

    /// Write the picture to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Timeout of each solver call, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
}

/// Arguments of `fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Suites (files or directories): the expectations to fix and to keep.
    #[arg(required = true)]
    pub suites: Vec<String>,

    /// Output format: the change file (YAML), or JSON with the reasons.
    #[arg(long, value_enum, default_value_t = Format::Text, env = "MLACCESS_FORMAT")]
    pub format: Format,

    /// Write the change file here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Timeout of each solver call, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Text,
    /// For machines (schema in docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// One self-contained HTML page with the picture of every failing witness (pictures need Graphviz).
    Html,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Suite files, or directories of suite files.
    #[arg(required = true)]
    pub suites: Vec<String>,

    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text, env = "MLACCESS_FORMAT")]
    pub format: CheckFormat,

    /// Also write SARIF 2.1.0 to this file.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<std::path::PathBuf>,

    /// Also write JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<std::path::PathBuf>,

    /// Also write the HTML report to this file (a CI artifact).
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,

    /// An earlier model: fail only on access that is new relative to it.
    #[arg(long, value_name = "OLD_MODEL")]
    pub baseline: Option<String>,

    /// Which engine decides: the graph engine, Z3's, or both (they must agree).
    #[arg(long, value_enum, default_value_t = Engine::Graph)]
    pub engine: Engine,

    /// Timeout of each solver call, in milliseconds; a timeout makes an answer unknown, never no.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
}

/// Arguments of `whatif`.
#[derive(Debug, Args)]
pub struct WhatifArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// The change file (YAML or JSON).
    #[arg(long, value_name = "CHANGE")]
    pub change: String,

    #[command(flatten)]
    pub options: CompareOptions,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier model.
    pub old: String,

    /// The later model.
    pub new: String,

    /// Files merged over both models, in order.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<String>,

    #[command(flatten)]
    pub options: CompareOptions,
}

/// Options shared by `whatif` and `diff`.
#[derive(Debug, Args)]
pub struct CompareOptions {
    /// Suites (files or directories) whose expectations are compared before and after.
    pub suites: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, env = "MLACCESS_FORMAT")]
    pub format: Format,

    /// Print the path of every new capability (JSON output always has them).
    #[arg(long)]
    pub witnesses: bool,

    /// Compare what each actor reaches with the network ignored (every place reaches every
    /// endpoint), as queries do with `ignoring network`: new access through identities, roles, keys
    /// and credentials alone, without deciding the network of either model (much faster on a large
    /// estate). A change of the network itself is then not seen, and the result says it is incomplete.
    #[arg(long)]
    pub ignoring_network: bool,

    /// Timeout of each solver call, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
}
