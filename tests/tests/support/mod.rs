//! Helpers shared by the integration tests: loading the conformance vectors, decoding a case
//! with the right entry point, and comparing JSON values the way the vectors mean them.
//!
//! Each test file that needs them says `mod support;`; not every file uses every helper.
#![allow(dead_code)]

use phx_codec::{
    DecodeError, Decoder, Direction, Frame, RawJson, Vsn, WireFormat, WsMessage, binary, v1,
};
use serde_json::Value;

/// One conformance vector (see `/work/shared/spec/vectors/README.md`).
#[derive(Clone, Debug)]
pub(crate) struct Case {
    /// The file it came from (`v2.json`...).
    pub(crate) file: &'static str,
    pub(crate) name: String,
    pub(crate) format: WireFormat,
    pub(crate) direction: Direction,
    pub(crate) valid: bool,
    /// The frame's bytes (`frame` as UTF-8, or `frame_hex` decoded).
    pub(crate) input: Vec<u8>,
    pub(crate) canonical: bool,
    /// Expected typed message name (valid cases).
    pub(crate) message: Option<String>,
    /// Expected decoded fields (valid cases).
    pub(crate) decoded: Option<Value>,
    /// Error hint (invalid cases).
    pub(crate) error: Option<String>,
}

impl Case {
    /// `file/name`, for assertion messages.
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.file, self.name)
    }

    /// Decodes the case with the format-specific function.
    pub(crate) fn decode(&self) -> Result<Frame<'_>, DecodeError> {
        decode_as(self.format, self.direction, &self.input)
    }

    /// Decodes the case through [`Decoder`], the one entry point a WebSocket layer uses.
    pub(crate) fn decode_with_decoder(&self) -> Result<Frame<'_>, DecodeError> {
        let (vsn, message) = match self.format {
            WireFormat::V2 => (Vsn::V2, WsMessage::Text(&self.input)),
            WireFormat::V1 => (Vsn::V1, WsMessage::Text(&self.input)),
            WireFormat::Binary => (Vsn::V2, WsMessage::Binary(&self.input)),
        };
        Decoder::new(vsn, self.direction).decode(message)
    }
}

/// Decodes `input` as `format` sent in `direction`.
pub(crate) fn decode_as(
    format: WireFormat,
    direction: Direction,
    input: &[u8],
) -> Result<Frame<'_>, DecodeError> {
    match format {
        WireFormat::V2 => phx_codec::decode_text(input),
        WireFormat::V1 => v1::decode_v1(input),
        WireFormat::Binary => binary::decode_binary(input, direction),
    }
}

/// The names of the vector files, in `tests/data/`.
pub(crate) const VECTOR_FILES: [&str; 3] = ["v2.json", "v1.json", "binary.json"];

/// Reads and parses one vector file as raw JSON.
pub(crate) fn read_vector_file(file: &str) -> Vec<Value> {
    let path = format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    match value {
        Value::Array(cases) => cases,
        other => panic!("{path} is not an array of cases: {other}"),
    }
}

/// Every case of every vector file. Panics on a malformed case: a vector the suite cannot read
/// must fail loudly, never be skipped.
pub(crate) fn load_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for file in VECTOR_FILES {
        for raw in read_vector_file(file) {
            out.push(parse_case(file, &raw));
        }
    }
    out
}

/// The valid cases only.
pub(crate) fn valid_cases() -> Vec<Case> {
    load_cases().into_iter().filter(|c| c.valid).collect()
}

fn parse_case(file: &'static str, raw: &Value) -> Case {
    let field = |key: &str| raw.get(key);
    let name = field("name")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{file}: a case without a name: {raw}"))
        .to_owned();
    let format = match field("format").and_then(Value::as_str) {
        Some("v2") => WireFormat::V2,
        Some("v1") => WireFormat::V1,
        Some("binary") => WireFormat::Binary,
        other => panic!("{file}/{name}: unknown format {other:?}"),
    };
    let direction = match field("direction").and_then(Value::as_str) {
        Some("client") => Direction::FromClient,
        Some("server") => Direction::FromServer,
        other => panic!("{file}/{name}: unknown direction {other:?}"),
    };
    let valid = field("valid")
        .and_then(Value::as_bool)
        .unwrap_or_else(|| panic!("{file}/{name}: no `valid`"));
    let input = match (field("frame"), field("frame_hex")) {
        (Some(Value::String(text)), None) => text.as_bytes().to_vec(),
        (None, Some(Value::String(hex))) => from_hex(hex),
        _ => panic!("{file}/{name}: needs exactly one of `frame` / `frame_hex`"),
    };
    let text = |key: &str| field(key).and_then(Value::as_str).map(str::to_owned);
    let case = Case {
        file,
        name,
        format,
        direction,
        valid,
        input,
        canonical: field("canonical").and_then(Value::as_bool).unwrap_or(false),
        message: text("message"),
        decoded: field("decoded").cloned(),
        error: text("error"),
    };
    if case.valid {
        assert!(
            case.message.is_some() && case.decoded.is_some(),
            "{}: a valid case needs `message` and `decoded`",
            case.id()
        );
    } else {
        assert!(
            case.error.is_some(),
            "{}: an invalid case needs `error`",
            case.id()
        );
    }
    case
}

/// Decodes lowercase or uppercase hex; panics on malformed hex (test data).
pub(crate) fn from_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd-length hex {hex:?}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// JSON equality as the vectors mean it: numbers compared by value (`-0 == 0`,
/// `1.0e+10 == 10000000000`), objects as maps, arrays in order.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                return x == y;
            }
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                return x == y;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Builds a `serde_json::Value` from a [`RawJson`] using only the codec's own walkers
/// (`members`, `items`, `as_json_str`, `as_f64`...), so comparing it with serde_json's parse of
/// the same text checks the walkers. Duplicate keys: the last one wins, as in serde_json.
pub(crate) fn value_from_walkers(raw: RawJson<'_>) -> Value {
    use phx_codec::JsonKind;
    match raw.kind() {
        JsonKind::Null => {
            assert!(raw.is_null());
            Value::Null
        }
        JsonKind::Bool => Value::Bool(raw.as_bool().expect("a bool")),
        JsonKind::String => Value::String(raw.as_json_str().expect("a string").into_string()),
        JsonKind::Number => {
            if let Some(n) = raw.as_u64() {
                Value::from(n)
            } else if let Some(n) = raw.as_i64() {
                Value::from(n)
            } else {
                let f = raw.as_f64().expect("a number");
                serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
            }
        }
        JsonKind::Array => Value::Array(
            raw.items()
                .expect("an array")
                .map(value_from_walkers)
                .collect(),
        ),
        JsonKind::Object => {
            let mut map = serde_json::Map::new();
            for (k, v) in raw.members().expect("an object") {
                map.insert(k.into_string(), value_from_walkers(v));
            }
            Value::Object(map)
        }
    }
}

/// A nullable string field as the frame has it.
pub(crate) fn opt_string(s: Option<phx_codec::JsonStr<'_>>) -> Option<String> {
    s.map(phx_codec::JsonStr::into_string)
}
