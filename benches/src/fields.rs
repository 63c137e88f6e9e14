//! The one shared list of fields the `typed` operation reads, per message shape.
//!
//! Every implementation reads topic, event, ref and join_ref, then exactly these payload
//! fields: every field phx-codec's typed view of the event exposes (`Shout`, `User`,
//! `Customer`, `Attachment`, `Join`, `Reply`, presence `Meta`), nested objects and every
//! presence meta included. A string adds its unescaped bytes to the checksum, an integer its
//! value, a flag its value, an object (`metadata`, a reply's `response`, the heartbeat
//! payload) its member count. A field that is absent, null or of another type adds nothing.
//!
//! `serde_json_value` and `simd_json` look the names up here; phx reads its accessors and
//! `serde_json_typed`/`sonic_rs` their struct fields ([`crate::typed`]), in the same order;
//! the checksum test makes sure all read the same thing.

/// Shout: string members (`Shout::id` .. `Shout::customer_id`).
pub const SHOUT_TEXT: [&str; 12] = [
    "id",
    "object",
    "body",
    "type",
    "content_type",
    "source",
    "created_at",
    "sent_at",
    "seen_at",
    "conversation_id",
    "account_id",
    "customer_id",
];
/// Shout: the boolean member.
pub const SHOUT_FLAG: &str = "private";
/// Shout: the integer member.
pub const SHOUT_INT: &str = "user_id";
/// Shout: the embedded agent (object).
pub const SHOUT_USER: &str = "user";
/// Shout: the embedded customer (object).
pub const SHOUT_CUSTOMER: &str = "customer";
/// Shout: attachments (array of objects).
pub const SHOUT_ATTACHMENTS: &str = "attachments";
/// Shout: metadata (object: its member count).
pub const SHOUT_METADATA: &str = "metadata";
/// Shout: file ids (array of integers or strings).
pub const SHOUT_FILE_IDS: &str = "file_ids";
/// Shout: mentioned agents (array of integers).
pub const SHOUT_MENTIONED: &str = "mentioned_user_ids";

/// User: the integer member.
pub const USER_INT: &str = "id";
/// User: string members.
pub const USER_TEXT: [&str; 9] = [
    "object",
    "email",
    "created_at",
    "disabled_at",
    "archived_at",
    "full_name",
    "display_name",
    "profile_photo_url",
    "role",
];

/// Customer: string members.
pub const CUSTOMER_TEXT: [&str; 16] = [
    "id",
    "object",
    "name",
    "email",
    "phone",
    "external_id",
    "profile_photo_url",
    "company_id",
    "host",
    "pathname",
    "current_url",
    "browser",
    "os",
    "created_at",
    "updated_at",
    "title",
];
/// Customer: metadata (object: its member count).
pub const CUSTOMER_METADATA: &str = "metadata";

/// Attachment: the id (integer or string).
pub const ATTACHMENT_ID: &str = "id";
/// Attachment: string members.
pub const ATTACHMENT_TEXT: [&str; 4] = ["object", "file_url", "content_type", "filename"];

/// Join: string members.
pub const JOIN_TEXT: [&str; 1] = ["customer_id"];

/// Reply: the status (string).
pub const REPLY_STATUS: &str = "status";
/// Reply: the response (object: its member count), and its `reason` (string).
pub const REPLY_RESPONSE: &str = "response";
/// Reply: `response.reason`.
pub const REPLY_REASON: &str = "reason";

/// Presence: each key (string) maps to `{"metas": [..]}`.
pub const PRESENCE_METAS: &str = "metas";
/// Presence meta: string members.
pub const META_TEXT: [&str; 4] = ["phx_ref", "phx_ref_prev", "online_at", "customer_id"];
/// Presence meta: the integer member.
pub const META_INT: &str = "user_id";

/// Heartbeat: the payload object's member count, nothing else.
pub const HEARTBEAT: &str = "(payload member count)";
