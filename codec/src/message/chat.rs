//! Chat: `shout` (with its embedded user, customer and attachments) and `read`.

use crate::message::error::MessageError;
use crate::message::view::{TypedObject, wrong_type};
use crate::message::view_macros::typed_object;
use crate::raw::{ArrayItems, JsonKind, RawJson};
use crate::string::JsonStr;

typed_object! {
    /// An agent, as embedded in a message (`"object": "user"`).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"id":"m1","body":"Hi","type":"reply","user_id":7,"user":{"id":7,"email":"a@b.c"},"customer":{"id":"c1","name":"Ann"},"attachments":[{"id":3,"filename":"a.png"}],"file_ids":[3,"x"],"mentioned_user_ids":[8,9]}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// let user = shout.user().unwrap();
    /// assert_eq!((user.id(), user.email().unwrap()), (Some(7), "a@b.c".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct User in "user." {
        /// The user's id (an integer).
        id: Int = "id",
        /// `"user"`.
        object: Str = "object",
        /// Email address.
        email: Str = "email",
        /// Full name (absent when the user has no profile).
        full_name: Str = "full_name",
        /// Display name (absent when the user has no profile).
        display_name: Str = "display_name",
        /// Avatar URL (absent when the user has no profile).
        profile_photo_url: Str = "profile_photo_url",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// When the user was disabled.
        disabled_at: Str = "disabled_at",
        /// When the user was archived.
        archived_at: Str = "archived_at",
        /// Role (`"admin"`, `"user"`).
        role: Str = "role",
    }
}

typed_object! {
    /// A customer, as embedded in a message (`"object": "customer"`).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"id":"m1","body":"Hi","type":"reply","user_id":7,"user":{"id":7,"email":"a@b.c"},"customer":{"id":"c1","name":"Ann"},"attachments":[{"id":3,"filename":"a.png"}],"file_ids":[3,"x"],"mentioned_user_ids":[8,9]}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// assert_eq!(shout.customer().unwrap().name().unwrap(), "Ann");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct Customer in "customer." {
        /// The customer's id (UUID).
        id: Str = "id",
        /// `"customer"`.
        object: Str = "object",
        /// Name.
        name: Str = "name",
        /// Email address.
        email: Str = "email",
        /// Phone number.
        phone: Str = "phone",
        /// The id in the account's own system.
        external_id: Str = "external_id",
        /// Avatar URL.
        profile_photo_url: Str = "profile_photo_url",
        /// The company's id.
        company_id: Str = "company_id",
        /// Host the widget ran on.
        host: Str = "host",
        /// Path the widget ran on.
        pathname: Str = "pathname",
        /// Full URL the widget ran on.
        current_url: Str = "current_url",
        /// Browser name.
        browser: Str = "browser",
        /// Operating system.
        os: Str = "os",
        /// Free-form metadata, kept raw.
        metadata: Obj = "metadata",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// Last update.
        updated_at: Str = "updated_at",
        /// Title shown in the dashboard.
        title: Str = "title",
    }
}

typed_object! {
    /// A file attached to a message (`"object": "file"`).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"id":"m1","body":"Hi","type":"reply","user_id":7,"user":{"id":7,"email":"a@b.c"},"customer":{"id":"c1","name":"Ann"},"attachments":[{"id":3,"filename":"a.png"}],"file_ids":[3,"x"],"mentioned_user_ids":[8,9]}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// let file = shout.attachments().next().unwrap();
    /// assert_eq!(file.filename().unwrap(), "a.png");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct Attachment in "attachments[]." {
        /// The file's id.
        id: Id = "id",
        /// `"file"`.
        object: Str = "object",
        /// Where to download it.
        file_url: Str = "file_url",
        /// MIME type.
        content_type: Str = "content_type",
        /// File name.
        filename: Str = "filename",
    }
}

typed_object! {
    /// `shout`: a chat message, either the client's push (`body`, `customer_id`, `sent_at`,
    /// `file_ids`...) or the server's formatted message (`id`, `user`, `customer`,
    /// `attachments`...). Every field is optional: a server may re-broadcast the raw push.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"id":"m1","body":"Hi","type":"reply","user_id":7,"user":{"id":7,"email":"a@b.c"},"customer":{"id":"c1","name":"Ann"},"attachments":[{"id":3,"filename":"a.png"}],"file_ids":[3,"x"],"mentioned_user_ids":[8,9]}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// assert_eq!(shout.body().unwrap(), "Hi");
    /// assert!(shout.is_from_agent() && !shout.is_bot());
    /// assert_eq!(shout.mentioned_user_ids().collect::<Vec<_>>(), [8, 9]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct Shout in "" {
        /// The message id (UUID).
        id: Str = "id",
        /// `"message"`.
        object: Str = "object",
        /// The text.
        body: Str = "body",
        /// `"reply"`, `"note"`, `"bot"`...
        message_type: Str = "type",
        /// Content type (`"text"`...).
        content_type: Str = "content_type",
        /// Whether it is an internal note.
        private: Bool = "private",
        /// `"chat"`, `"slack"`, `"email"`...
        source: Str = "source",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// When it was sent (ISO 8601, `Z`).
        sent_at: Str = "sent_at",
        /// When it was seen.
        seen_at: Str = "seen_at",
        /// The conversation's id.
        conversation_id: Str = "conversation_id",
        /// The account's id.
        account_id: Str = "account_id",
        /// The customer who wrote it.
        customer_id: Str = "customer_id",
        /// The agent who wrote it.
        user_id: Int = "user_id",
        /// The agent, embedded.
        user: User = "user",
        /// The customer, embedded.
        customer: Customer = "customer",
        /// Attached files.
        attachments: AttachmentList = "attachments",
        /// Free-form metadata, kept raw.
        metadata: Obj = "metadata",
        /// Files uploaded for this message (client push).
        file_ids: IdList = "file_ids",
        /// Agents mentioned (client push on `notification:`).
        mentioned_user_ids: IntList = "mentioned_user_ids",
    }
}

impl Shout<'_> {
    /// Written by a customer: `customer_id` is set.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,"1","conversation:9","shout",{"body":"Hi","customer_id":"c1"}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// assert!(shout.is_from_customer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_from_customer(&self) -> bool {
        self.customer_id.is_present()
    }

    /// Written by an agent: `user_id` is set.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"body":"Hi","user_id":7}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// assert!(shout.is_from_agent());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_from_agent(&self) -> bool {
        self.user_id.is_present()
    }

    /// Written by a bot: `type` is `"bot"`.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"body":"Hi","type":"bot"}]"#)?;
    /// let Message::Shout(shout) = frame.message()? else { unreachable!() };
    /// assert!(shout.is_bot());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_bot(&self) -> bool {
        self.message_type().is_some_and(|t| t == "bot")
    }
}

typed_object! {
    /// `read` payload: an agent read a conversation.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"["2","5","notification:a1","read",{"conversation_id":"5c9b"}]"#)?;
    /// let Message::Read(read) = frame.message()? else { unreachable!() };
    /// assert_eq!(read.conversation_id().unwrap(), "5c9b");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct Read in "" {
        /// The conversation read.
        conversation_id: Str = "conversation_id",
    }
}

/// A message's attachments, walked lazily. Created by [`Shout::attachments`].
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"[null,null,"conversation:9","shout",{"id":"m1","body":"Hi","type":"reply","user_id":7,"user":{"id":7,"email":"a@b.c"},"customer":{"id":"c1","name":"Ann"},"attachments":[{"id":3,"filename":"a.png"}],"file_ids":[3,"x"],"mentioned_user_ids":[8,9]}]"#)?;
/// let Message::Shout(shout) = frame.message()? else { unreachable!() };
/// let ids: Vec<_> = shout.attachments().filter_map(|a| a.id()).collect();
/// assert_eq!(ids, [phx_codec::message::FileId::Int(3)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Attachments<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
    pub(crate) plain: bool,
}

impl<'a> Iterator for Attachments<'a> {
    type Item = Attachment<'a>;

    /// Absent lists end here, inline; the items are read out of line.
    #[inline]
    fn next(&mut self) -> Option<Attachment<'a>> {
        let items = self.items.as_mut()?;
        next_attachment(items, self.plain)
    }
}

/// The next item of `items` that reads as an attachment.
fn next_attachment<'a>(items: &mut ArrayItems<'a>, plain: bool) -> Option<Attachment<'a>> {
    loop {
        let raw = items.next()?;
        // Checked when the message was read, so this only fails for items that were not.
        if let Ok(Some(attachment)) =
            Attachment::from_value(raw, "attachments[]", raw.as_str(), plain)
        {
            return Some(attachment);
        }
    }
}

pub(crate) fn check_attachment_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    #[cfg(target_os = "none")]
    return check_attachment_in_place(v, field, base);
    #[cfg(not(target_os = "none"))]
    match Attachment::from_value(v, field, base, false)? {
        Some(_) => Ok(()),
        None => Err(wrong_type(field, JsonKind::Object, v, base)),
    }
}

/// [`check_attachment_item`] on bare metal: the item's members checked as `Attachment` reads
/// them, each value into one scratch span, with no `Attachment` or fill of one on the stack
/// (the deepest stack chain goes through here: `.ci/embedded-size`); the same checks and
/// errors (the tests compare them for every key with every kind of value).
#[cfg(any(target_os = "none", test))]
#[inline]
fn check_attachment_in_place<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    use crate::message::view::{Fill, Span, check_len, next_known, read_id, read_str};
    if v.as_bytes().first() != Some(&b'{') {
        return Err(wrong_type(field, JsonKind::Object, v, base));
    }
    check_len(v, base)?;
    let mut cur = crate::message::walk::Walk::inside(v);
    let mut fill = Fill {
        obj: v.as_str(),
        base,
        plain: false,
        names: Attachment::NAMES,
        error: None,
    };
    let mut scratch = Span::ABSENT;
    while let Some(index) = next_known(&mut cur, Attachment::shared_keys()) {
        // `Attachment`'s fields: `id` (the first) an id, every other a string (the test
        // compares this with `Attachment::from_value` for every field `Attachment` has).
        let ok = if index == 0 {
            read_id(&mut cur, &mut fill, index, &mut scratch)
        } else {
            read_str(&mut cur, &mut fill, index, &mut scratch)
        };
        if !ok {
            break;
        }
    }
    fill.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::walk::Walk;

    /// Values of every JSON type (and a few of each kind a field takes), for every key.
    const VALUES: &[&str] = &[
        "null",
        "true",
        "false",
        "0",
        "-12",
        "1.5",
        "1e3",
        "99999999999999999999",
        r#""""#,
        r#""text""#,
        r#""esc\"aped\u00e9""#,
        "{}",
        r#"{"id":7,"email":"a@b.c","name":"Ann","filename":"a.png"}"#,
        r#"{"id":"x"}"#,
        r#"{"id":[]}"#,
        "[]",
        "[1,2]",
        r#"[3,"f"]"#,
        r#"[{"id":3,"filename":"a.png"}]"#,
        r#"[{"id":{}}]"#,
        "[null]",
        r#"["x",true]"#,
    ];

    /// The view `T` of `text` read by `fill_from` (here: the loop inlined in each view) and
    /// by `shared` (bare metal's: `fill_from_shared`): the same view or the same error.
    fn same<'a, T: TypedObject<'a> + PartialEq + core::fmt::Debug>(
        text: &'a str,
        shared: fn(&mut T, &mut Walk<'a>, &'a str) -> Result<(), MessageError>,
    ) -> bool {
        let raw = RawJson::parse(text).unwrap();
        let mut read = false;
        for plain in [false, true] {
            let inline = T::from_walk(raw, text, plain);
            let mut view = T::empty(raw, plain);
            let by_shared = shared(&mut view, &mut Walk::inside(raw), text).map(|()| view);
            assert_eq!(inline, by_shared, "{text}");
            read = inline.is_ok();
        }
        read
    }

    /// Every known key (plain, escaped, twice) with every kind of value, beside unknown keys;
    /// how many objects `check` read and how many it refused.
    fn objects(keys: &[&str], mut check: impl FnMut(&str) -> bool) -> (usize, usize) {
        let mut text = heapless::String::<512>::new();
        let (mut read, mut refused) = (0, 0);
        let mut count = |ok: bool| if ok { read += 1 } else { refused += 1 };
        // Miri: every third value, two forms (the same paths, fewer objects).
        let (step, forms) = if cfg!(miri) { (3, 2) } else { (1, 4) };
        for key in keys {
            for value in VALUES.iter().step_by(step) {
                for form in 0..forms {
                    text.clear();
                    let (key_text, extra) = match form {
                        0 => (heapless::format!(32; "\"{key}\"").unwrap(), ""),
                        // The first letter escaped: found only once unescaped.
                        1 => {
                            let (first, rest) = key.split_at(1);
                            let code = u32::from(first.as_bytes()[0]);
                            (
                                heapless::format!(32; "\"\\u{code:04x}{rest}\"").unwrap(),
                                "",
                            )
                        }
                        2 => (heapless::format!(32; "\"{key}\"").unwrap(), ",\"zz\":[{}]"),
                        _ => (heapless::format!(32; " \"{key}\" ").unwrap(), " "),
                    };
                    write!(
                        text,
                        "{{\"unknown\":{{\"body\":1}},{key_text}:{value}{extra},\"body\":\"b\"}}"
                    )
                    .unwrap();
                    count(check(&text));
                    text.clear();
                    write!(text, "{{{key_text} : {value} , {key_text}:null}}").unwrap();
                    count(check(&text));
                }
            }
        }
        for text in [
            "{}",
            "{ }",
            r#"{"a":{"b":[1,{"c":"}"}]}}"#,
            r#"{"body":"Hi","customer_id":"c1","sent_at":"2026-11-24T15:01:02.003Z"}"#,
        ] {
            count(check(text));
        }
        (read, refused)
    }

    use core::fmt::Write as _;

    /// Bare metal's attachment item check (`check_attachment_in_place`) against the one that
    /// reads the item as `Attachment::from_value` does: the same answer and the same error,
    /// for items of every kind and attachments with every kind of field value.
    #[test]
    fn the_in_place_attachment_check_is_from_value() {
        let mut text = heapless::String::<512>::new();
        let mut items = heapless::Vec::<heapless::String<128>, 256>::new();
        for value in VALUES {
            items
                .push(heapless::format!(128; "{value}").unwrap())
                .unwrap();
            // Every key `Attachment` has (so a field added to it is checked here too, of
            // whatever kind), and one it does not.
            let keys = Attachment::NAMES
                .iter()
                .map(|name| name.strip_prefix("attachments[].").unwrap());
            for key in keys.chain(["other"]) {
                items
                    .push(heapless::format!(128; r#"{{"{key}":{value}, "id" : 3}}"#).unwrap())
                    .unwrap();
            }
        }
        let (mut ok, mut refused) = (0, 0);
        for item in &items {
            text.clear();
            write!(text, r#"{{"attachments":[{item}]}}"#).unwrap();
            let raw = RawJson::parse(&text).unwrap();
            let v = raw
                .get("attachments")
                .unwrap()
                .items()
                .unwrap()
                .next()
                .unwrap();
            let want = match Attachment::from_value(v, "attachments[]", &text, false) {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(wrong_type("attachments[]", JsonKind::Object, v, &text)),
                Err(error) => Err(error),
            };
            assert_eq!(
                check_attachment_in_place(v, "attachments[]", &text),
                want,
                "{item}"
            );
            if want.is_ok() { ok += 1 } else { refused += 1 }
        }
        assert!(ok > 20 && refused > 20, "{ok} {refused}");
    }

    #[test]
    fn bare_metal_member_loop_reads_every_view_as_the_inline_one_does() {
        let (read, refused) = objects(
            &[
                "id",
                "object",
                "body",
                "type",
                "content_type",
                "private",
                "source",
                "created_at",
                "sent_at",
                "seen_at",
                "conversation_id",
                "account_id",
                "customer_id",
                "user_id",
                "user",
                "customer",
                "attachments",
                "metadata",
                "file_ids",
                "mentioned_user_ids",
            ],
            |text| same::<Shout<'_>>(text, Shout::fill_from_shared),
        );
        // Both outcomes compared, for every kind of field.
        assert!(
            read > 100 && refused > 100,
            "{read} read, {refused} refused"
        );
        objects(
            &["id", "email", "full_name", "role", "disabled_at"],
            |text| same::<User<'_>>(text, User::fill_from_shared),
        );
        objects(
            &["id", "name", "metadata", "title", "external_id"],
            |text| same::<Customer<'_>>(text, Customer::fill_from_shared),
        );
        objects(&["id", "object", "file_url", "filename"], |text| {
            same::<Attachment<'_>>(text, Attachment::fill_from_shared)
        });
        objects(&["conversation_id"], |text| {
            same::<Read<'_>>(text, Read::fill_from_shared)
        });
    }
}
