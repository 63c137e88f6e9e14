//! `phx`: decode, validate, convert and inspect captured Phoenix Channels frames, or watch
//! live channels (`phx listen`, see [`listen`]).
//!
//! A capture has one frame per line: a line starting with `[` is a V2 JSON text frame, `{` a
//! V1 frame, `hex:<hex>` or `base64:<data>` a V2 binary frame; blank lines and `#` comments
//! are skipped (and counted in line numbers). A bad line never stops a run.
//!
//! Exit status: 0 when every frame line was good, 1 when any failed, 2 for usage and I/O
//! errors.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use phx_codec::{Direction, WireFormat};

mod base64;
mod capture;
mod commands;
mod display;
mod filter;
mod hex;
mod inspect;
mod json;
mod listen;
mod output;
mod progress;
mod transcode;

use crate::capture::Input;
use crate::commands::Outcome;
use crate::filter::Filter;
use crate::inspect::InspectFormat;
use crate::listen::ListenArgs;
use crate::output::Output;
use crate::transcode::BinaryText;

#[derive(Parser, Debug)]
#[command(
    name = "phx",
    version,
    about = "Decode, validate, convert and inspect captured Phoenix Channels frames, or watch live channels",
    after_help = concat!(
        "Examples:\n",
        "  phx inspect examples/papercups-session.ndjson\n",
        "  phx decode capture.ndjson | phx encode --format v1\n",
        "  cat capture.ndjson | phx validate\n",
        "  phx listen ws://127.0.0.1:4000/socket --join 'room:lobby'\n\n",
        "Captures: one frame per line. `[...]` is a V2 JSON text frame, `{...}` a V1 frame,\n",
        "`hex:<hex>` or `base64:<data>` a V2 binary frame; blank lines and `#` comments are\n",
        "skipped but counted in line numbers. A bad line is reported and the run goes on.\n\n",
        "Exit status: 0 when every frame line was good, 1 when any failed, 2 for usage or I/O errors."
    )
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Flush standard output after every input line (it is already flushed whenever phx
    /// waits for input, and after every line on a terminal)
    #[arg(long, global = true)]
    line_buffered: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write one JSON object per frame line (or per failed line)
    #[command(after_help = concat!(
        "Each frame line becomes\n",
        "  {\"line\":N,\"format\":\"v2\"|\"v1\"|\"binary\",\"join_ref\":S|null,\"ref\":S|null,\"topic\":S,\n",
        "   \"event\":S,\"message\":M,\"payload\":P}\n",
        "and each failed line {\"line\":N,\"error\":{\"kind\":K,\"offset\":O,\"message\":T}}.\n",
        "Binary payloads are written {\"binary_base64\":\"...\"}. `message` is the typed message name\n",
        "(\"shout\", \"phx_reply\", ...), \"other\" when the event has none or the payload does not fit it.\n\n",
        "Example:\n",
        "  $ echo '[null,\"1\",\"phoenix\",\"heartbeat\",{}]' | phx decode\n",
        "  {\"line\":1,\"format\":\"v2\",\"join_ref\":null,\"ref\":\"1\",\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"message\":\"heartbeat\",\"payload\":{}}\n\n",
        "With --topic/--event only the frames that match are written (failed lines always are).\n",
        "Output is flushed whenever phx waits for input, so it can sit in a live pipeline:\n",
        "  $ websocat ws://localhost:4000/socket/websocket?vsn=2.0.0 | phx decode --event shout | jq .payload"
    ))]
    Decode {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        filter: Filter,
    },

    /// Turn `phx decode` output back into compact frames
    #[command(after_help = concat!(
        "Each record is written in its own `format` unless --format is given. Error records\n",
        "cannot be encoded: they are reported on stderr (exit status 1).\n\n",
        "Example:\n",
        "  $ phx decode capture.ndjson | phx encode > same-frames.ndjson\n",
        "  $ phx decode capture.ndjson | phx encode --format binary --from server --binary-text base64"
    ))]
    Encode {
        #[command(flatten)]
        input: InputArgs,
        /// Write every frame in this form (default: each record's own `format`)
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// How binary frames are written as lines
        #[arg(long, value_enum, default_value_t = BinaryText::Hex)]
        binary_text: BinaryText,
    },

    /// Check every frame; print only the errors and a summary line
    #[command(after_help = concat!(
        "Example:\n",
        "  $ phx validate examples/with-errors.capture\n",
        "  line 4: unexpected end of input at byte 61 (unexpected_end)\n",
        "  ...\n",
        "  FAILED: 5 valid, 11 invalid, 4 blank or comment (20 lines)"
    ))]
    Validate(InputArgs),

    /// Write every frame in another wire form (comments and blank lines are kept)
    #[command(after_help = concat!(
        "Text payloads become the bytes of binary frames (a server's phx_reply becomes a binary\n",
        "reply); binary payloads that are UTF-8 JSON become text payloads (spaces inside kept),\n",
        "others cannot be written as text and are reported on stderr (exit status 1).\n",
        "Whatever the target form cannot carry exactly is written anyway, with a warning on\n",
        "stderr that names it (exit status unchanged), e.g.\n",
        "  phx: line 1: warning: a binary frame cannot carry this one exactly: join_ref null became \"\"\n",
        "Text forms are written compact: spaces between JSON tokens are no loss.\n\n",
        "Example:\n",
        "  $ phx convert --to v1 examples/papercups-session.ndjson > session-v1.capture\n",
        "  $ phx convert --to v2 session-v1.capture   # the original again"
    ))]
    Convert {
        /// The wire form to write
        #[arg(long, value_enum)]
        to: Format,
        #[command(flatten)]
        input: InputArgs,
        /// How binary frames are written as lines
        #[arg(long, value_enum, default_value_t = BinaryText::Hex)]
        binary_text: BinaryText,
    },

    /// Show a table of the frames and a summary, for people (or JSON/CSV, for programs)
    #[command(after_help = concat!(
        "Columns: line number, sender and format (text frames do not say who sent them: replies,\n",
        "presence, closes, errors and frames without a ref are counted as the server's), topic,\n",
        "event, the line's size in bytes, and the message's key fields. UUIDs are shortened, long\n",
        "values cut to columns measured in terminal cells, and control, bidi and format\n",
        "characters from the capture shown as \\u{XXXX} escapes.\n",
        "Colours only when writing to a terminal (NO_COLOR, CLICOLOR_FORCE and --color apply);\n",
        "a progress bar on stderr for inputs over 4 MiB.\n\n",
        "--format json writes JSON Lines, text whole and unshortened:\n",
        "  {\"type\":\"frame\",\"line\":N,\"from\":\"client\"|\"server\",\"format\":F,\"topic\":S,\"event\":S,\n",
        "   \"bytes\":N,\"message\":M,\"detail\":S,\"untyped\":S|null}   for each frame,\n",
        "  {\"type\":\"error\",\"line\":N,\"kind\":K,\"offset\":O,\"message\":T}   for each failed line,\n",
        "  {\"type\":\"summary\",\"lines\":N,\"frames\":N,...,\"events\":{NAME:N,...},...}   last.\n",
        "--format csv writes a header row and a row per frame or failed line (RFC 4180, CRLF):\n",
        "  line,from,format,topic,event,bytes,message,untyped,detail,error_kind,error_offset,error_message\n\n",
        "Example:\n",
        "  $ phx inspect examples/papercups-session.ndjson\n",
        "  $ phx inspect --topic 'conversation:*' --event shout --format csv capture.ndjson"
    ))]
    Inspect {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        filter: Filter,
        /// How to write the rows
        #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
        format: InspectFormat,
        /// When to colour the table
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },

    /// Join channels on a live endpoint and write every message they receive as `decode` records
    #[command(after_help = concat!(
        "Connects (the tokio client: heartbeats, reconnects with backoff and rejoins as phoenix.js\n",
        "does), joins each --join topic with the --param params, pushes each --push on the first\n",
        "topic once it is joined, and writes one `decode` record per message the channels receive:\n",
        "broadcasts, presence, the server's pushes (not the phx_ control events: replies,\n",
        "phx_close, phx_error, which the client handles). `line` numbers the messages received,\n",
        "filtered or not. Each record is flushed as it is written.\n\n",
        "Standard error gets each join's outcome:\n",
        "  phx: joined room:lobby: ok {}\n",
        "  phx: join inbox:1 refused: error {\"reason\":\"unmatched topic\"}\n",
        "A join with no reply in 10 s is reported and retried, with backoff, until it succeeds.\n\n",
        "URL: ws://HOST:PORT/PATH, with or without /websocket; a query adds connect params and\n",
        "may set vsn=2.0.0 (default) or vsn=1.0.0. wss:// is not supported (no TLS in this build).\n\n",
        "Stops on --count, --timeout-ms, Ctrl-C or a closed standard output (status 0); status 1\n",
        "when a join is refused or --timeout-ms comes before --count records; 2 for usage errors.\n",
        "Standard input is not read, so `phx listen … &` and `< /dev/null` keep listening.\n\n",
        "Example (the Papercups server: cargo run -p phx-papercups-server -- --port 4000):\n",
        "  $ phx listen ws://127.0.0.1:4000/socket --join conversation:9f3c1e2a \\\n",
        "      --param customer_id=cus_1 --push 'shout={\"body\":\"hi\",\"customer_id\":\"cus_1\"}' \\\n",
        "      --event shout --count 1"
    ))]
    Listen(ListenArgs),
}

#[derive(Args, Debug)]
struct InputArgs {
    /// The capture to read; stdin when absent or `-`
    file: Option<PathBuf>,
    /// Who sent the binary frames (their layout depends on it)
    #[arg(long, value_enum, default_value_t = Side::Client)]
    from: Side,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Side {
    /// Sent by a client to the server
    Client,
    /// Sent by the server to a client
    Server,
}

impl From<Side> for Direction {
    fn from(side: Side) -> Self {
        match side {
            Side::Client => Self::FromClient,
            Side::Server => Self::FromServer,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// V1 JSON object
    V1,
    /// V2 JSON array
    V2,
    /// V2 binary frame
    Binary,
}

impl From<Format> for WireFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::V1 => Self::V1,
            Format::V2 => Self::V2,
            Format::Binary => Self::Binary,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    /// When standard output is a terminal, unless NO_COLOR is set or TERM is dumb (or when
    /// CLICOLOR_FORCE is set)
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

impl From<Color> for anstream::ColorChoice {
    fn from(color: Color) -> Self {
        match color {
            Color::Auto => Self::Auto,
            Color::Always => Self::Always,
            Color::Never => Self::Never,
        }
    }
}

/// Why a run could not finish: exit status 2.
enum Fatal {
    /// The input could not be opened.
    Open(String),
    /// Reading or writing failed midway.
    Io(io::Error),
    /// `phx listen` cannot start (a client limit, the runtime).
    Listen(String),
}

fn open(args: &InputArgs) -> Result<Input, Fatal> {
    Input::open(args.file.as_deref()).map_err(|e| {
        let name = args
            .file
            .as_deref()
            .map_or_else(|| "stdin".to_owned(), |p| p.display().to_string());
        Fatal::Open(format!("cannot read {name}: {e}"))
    })
}

/// Standard output, buffered; through `anstream` (which drops the colours where they are
/// not wanted) for the inspect table.
fn output(command: &Command, line_buffered: bool) -> Output {
    let stdout = io::stdout();
    // A live listener flushes every record.
    let every_line = line_buffered || stdout.is_terminal() || matches!(command, Command::Listen(_));
    let writer: Box<dyn Write> = match command {
        Command::Inspect {
            color,
            format: InspectFormat::Table,
            ..
        } => Box::new(BufWriter::with_capacity(
            1 << 16,
            anstream::AutoStream::new(stdout.lock(), (*color).into()),
        )),
        _ => Box::new(BufWriter::with_capacity(1 << 16, stdout.lock())),
    };
    Output::new(writer, every_line)
}

fn run(command: Command, out: &mut Output) -> Result<Outcome, Fatal> {
    let outcome = match command {
        Command::Decode { input, filter } => {
            commands::decode(open(&input)?, input.from.into(), &filter, out)
        }
        Command::Validate(args) => commands::validate(open(&args)?, args.from.into(), out),
        Command::Encode {
            input,
            format,
            binary_text,
        } => commands::encode(
            open(&input)?,
            format.map(Into::into),
            input.from.into(),
            binary_text,
            out,
        ),
        Command::Convert {
            to,
            input,
            binary_text,
        } => commands::convert(
            open(&input)?,
            to.into(),
            input.from.into(),
            binary_text,
            out,
        ),
        Command::Inspect {
            input,
            filter,
            format,
            color: _,
        } => inspect::inspect(open(&input)?, input.from.into(), &filter, format, out),
        Command::Listen(args) => listen::listen(&args, out).map_err(Fatal::Listen)?,
    };
    let outcome = outcome.map_err(Fatal::Io)?;
    out.flush().map_err(Fatal::Io)?;
    Ok(outcome)
}

fn main() -> ExitCode {
    // Usage errors exit with status 2 (clap's default); --help and --version with 0.
    let cli = Cli::parse();
    let mut out = output(&cli.command, cli.line_buffered);
    match run(cli.command, &mut out) {
        Ok(outcome) if outcome.failures == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        // A closed standard output (`phx … | head`) is the reader's choice: every command
        // stops there, quietly, with status 0.
        Err(Fatal::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Fatal::Io(e)) => {
            let _ = writeln!(io::stderr(), "phx: I/O error: {e}");
            ExitCode::from(2)
        }
        Err(Fatal::Open(message) | Fatal::Listen(message)) => {
            let _ = writeln!(io::stderr(), "phx: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
