//! The macros that declare typed views (`typed_object!` and the per-field-kind helpers it
//! expands to). They expand to calls into [`view`](super::view), the machinery every view
//! shares; this module only holds the declarations so that `view.rs` stays readable.

/// What each kind of field stores.
macro_rules! stored_ty {
    (Bool) => { Option<bool> };
    (Str) => { $crate::message::view::Span };
    (Int) => { $crate::message::view::Span };
    (Obj) => { $crate::message::view::Span };
    (Id) => { $crate::message::view::Span };
    (IdList) => { $crate::message::view::Span };
    (IntList) => { $crate::message::view::Span };
    (AttachmentList) => { $crate::message::view::Span };
    ($nested:ident) => { Option<$nested<'a>> };
}
pub(crate) use stored_ty;

/// What a field holds before anything is read.
macro_rules! absent {
    (Bool) => {
        None
    };
    (Str) => {
        $crate::message::view::Span::ABSENT
    };
    (Int) => {
        $crate::message::view::Span::ABSENT
    };
    (Obj) => {
        $crate::message::view::Span::ABSENT
    };
    (Id) => {
        $crate::message::view::Span::ABSENT
    };
    (IdList) => {
        $crate::message::view::Span::ABSENT
    };
    (IntList) => {
        $crate::message::view::Span::ABSENT
    };
    (AttachmentList) => {
        $crate::message::view::Span::ABSENT
    };
    ($nested:ident) => {
        None
    };
}
pub(crate) use absent;

/// Passes [`TypedObject::set_plain`](crate::message::view::TypedObject::set_plain) on to a
/// nested view field; other kinds of field do not keep it.
macro_rules! set_plain_field {
    (Bool, $f:expr, $plain:expr) => {};
    (Str, $f:expr, $plain:expr) => {};
    (Int, $f:expr, $plain:expr) => {};
    (Obj, $f:expr, $plain:expr) => {};
    (Id, $f:expr, $plain:expr) => {};
    (IdList, $f:expr, $plain:expr) => {};
    (IntList, $f:expr, $plain:expr) => {};
    (AttachmentList, $f:expr, $plain:expr) => {};
    ($nested:ident, $f:expr, $plain:expr) => {
        if let Some(view) = &mut $f {
            $crate::message::view::TypedObject::set_plain(view, $plain);
        }
    };
}
pub(crate) use set_plain_field;

/// Reads the member value at the cursor `$cur` into `$out` for each kind of field (`$i` is
/// its index in `$fill.names`); `false` when mistyped (the error is in `$fill`).
macro_rules! read_field {
    (Str, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_str($cur, $fill, $i, $out)
    };
    (Int, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_int($cur, $fill, $i, $out)
    };
    (Bool, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_bool($cur, $fill, $i, $out)
    };
    (Obj, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_object($cur, $fill, $i, $out)
    };
    (Id, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_id($cur, $fill, $i, $out)
    };
    (IdList, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_list(
            $cur,
            $fill,
            $i,
            $out,
            concat!($name, "[]"),
            $crate::message::view::check_id_item,
        )
    };
    (IntList, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_list(
            $cur,
            $fill,
            $i,
            $out,
            concat!($name, "[]"),
            $crate::message::view::check_int_item,
        )
    };
    (AttachmentList, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_list(
            $cur,
            $fill,
            $i,
            $out,
            concat!($name, "[]"),
            check_attachment_item,
        )
    };
    ($nested:ident, $cur:expr, $fill:expr, $i:expr, $out:expr, $name:expr) => {
        $crate::message::view::read_nested::<$nested<'a>, _>($cur, $fill, $i, $out)
    };
}
pub(crate) use read_field;

/// The doc example of each kind of accessor: a one-member object read with `parse`.
macro_rules! field_example {
    (Str, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":\"x\"}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().unwrap(), \"x\");\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Int, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":7}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "(), Some(7));\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Bool, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":true}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "(), Some(true));\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Obj, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":{\"a\":1}}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().unwrap().as_str(), r#\"{\"a\":1}\"#);\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Id, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":3}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "(), Some(phx_codec::message::FileId::Int(3)));\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (IdList, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":[3,\"f\"]}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().count(), 2);\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (IntList, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":[1,2]}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().sum::<i64>(), 3);\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (AttachmentList, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":[{\"filename\":\"a.png\"}]}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().next().unwrap().filename().unwrap(), \"a.png\");\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Nested, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":{}}\"#)?)?;\n",
            "assert!(view.",
            stringify!($field),
            "().is_some());\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
}
pub(crate) use field_example;

/// The public accessor of each kind of field.
macro_rules! accessor {
    (Str, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: a string; `None` when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(Str, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<JsonStr<'a>> {
            let plain = self.plain;
            self.$field.get(self.raw.as_str()).map(|body| $crate::message::view::body_str(body, plain))
        }
    };
    (Int, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an integer; `None` when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(Int, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<i64> {
            self.$field.get(self.raw.as_str()).and_then(|text| $crate::raw::parse_i64(text.as_bytes()))
        }
    };
    (Bool, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: a boolean; `None` when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(Bool, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<bool> {
            self.$field
        }
    };
    (Obj, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an object, kept raw; `None` when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(Obj, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<RawJson<'a>> {
            self.$field.get(self.raw.as_str()).map(RawJson::from_validated)
        }
    };
    (Id, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an integer or a string; `None` when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(Id, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<$crate::message::lists::FileId<'a>> {
            self.$field
                .get(self.raw.as_str())
                .and_then(|text| $crate::message::lists::FileId::from_raw(RawJson::from_validated(text)))
        }
    };
    (IdList, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of ids (integers or strings), iterated lazily; empty when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(IdList, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> $crate::message::lists::FileIds<'a> {
            $crate::message::lists::FileIds { items: $crate::message::view::TypedObject::list(self, self.$field) }
        }
    };
    (IntList, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of integers, iterated lazily; empty when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(IntList, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> $crate::message::lists::Integers<'a> {
            $crate::message::lists::Integers { items: $crate::message::view::TypedObject::list(self, self.$field) }
        }
    };
    (AttachmentList, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of file objects, iterated lazily; empty when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(AttachmentList, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Attachments<'a> {
            Attachments { items: $crate::message::view::TypedObject::list(self, self.$field), plain: self.plain }
        }
    };
    ($nested:ident, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an object, read with the message; `None` when absent or null.")]
        #[doc = $crate::message::view_macros::field_example!(Nested, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<$nested<'a>> {
            self.$field
        }
    };
}
pub(crate) use accessor;

/// Serializes one present field (lists as their raw JSON).
#[cfg(feature = "serde")]
macro_rules! serialize_field {
    (IdList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        if let Some(text) = $s.$field.get($s.raw.as_str()) {
            $map.serialize_entry($key, &RawJson::from_validated(text))?;
        }
    };
    (IntList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        $crate::message::view_macros::serialize_field!(IdList, $s, $map, $field, $key)
    };
    (AttachmentList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        $crate::message::view_macros::serialize_field!(IdList, $s, $map, $field, $key)
    };
    ($kind:ident, $s:ident, $map:ident, $field:ident, $key:literal) => {
        if let Some(value) = $s.$field() {
            $map.serialize_entry($key, &value)?;
        }
    };
}
#[cfg(feature = "serde")]
pub(crate) use serialize_field;

/// Declares a typed view of a JSON object: the struct (one optional field per known key, plus
/// the raw object), its one-pass constructor, and documented accessors. `$prefix` is prepended
/// to the keys to name fields in errors.
macro_rules! typed_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $prefix:literal {
            $( $(#[$fdoc:meta])* $field:ident: $kind:ident = $key:literal, )*
        }
    ) => {
        $crate::message::view_macros::typed_object! {
            $(#[$meta])*
            pub struct $name in $prefix at "phx_codec::message" {
                $( $(#[$fdoc])* $field: $kind = $key, )*
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $prefix:literal at $path:literal {
            $( $(#[$fdoc:meta])* $field:ident: $kind:ident = $key:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// With the `serde` feature it serializes as an object of the fields that are present
        /// (lists and raw objects as received).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'a> {
            raw: RawJson<'a>,
            /// The payload has no backslash, so every string in it is literal.
            plain: bool,
            $( $field: $crate::message::view_macros::stored_ty!($kind), )*
        }

        impl<'a> $name<'a> {
            /// Reads a JSON object as this view, in one pass, checking the type of every known
            /// field (as [`Frame::message`](crate::Frame::message) does for a payload).
            #[doc = concat!(
                "\n\n```\nuse phx_codec::RawJson;\nuse ", $path, "::", stringify!($name), ";\n",
                "let view = ", stringify!($name), "::parse(RawJson::parse(r#\"{\"unknown\":1}\"#)?)?;\n",
                "assert_eq!(view.raw().get(\"unknown\").unwrap().as_i64(), Some(1));\n",
                "assert!(", stringify!($name), "::parse(RawJson::parse(\"[]\")?).is_err());\n",
                "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
            )]
            pub fn parse(object: RawJson<'a>) -> Result<Self, $crate::message::error::MessageError> {
                match object.kind() {
                    $crate::raw::JsonKind::Object => <Self as $crate::message::view::TypedObject<'a>>::from_walk(
                        object,
                        object.as_str(),
                        $crate::message::view::is_plain(object),
                    ),
                    _ => Err($crate::message::error::MessageError {
                        kind: $crate::message::error::MessageErrorKind::PayloadNotObject {
                            found: object.kind(),
                        },
                        offset: 0,
                    }),
                }
            }

            /// The object as received (unknown members included).
            #[doc = concat!(
                "\n\n```\nuse phx_codec::RawJson;\nuse ", $path, "::", stringify!($name), ";\n",
                "let view = ", stringify!($name), "::parse(RawJson::parse(r#\"{\"a\": [1]}\"#)?)?;\n",
                "assert_eq!(view.raw().as_str(), r#\"{\"a\": [1]}\"#);\n",
                "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
            )]
            #[inline]
            pub fn raw(&self) -> RawJson<'a> {
                self.raw
            }

            $( $crate::message::view_macros::accessor!($kind, $field, $key, [$(#[$fdoc])*], $name, $path); )*

            /// Each field's path (the prefix and the key), in declaration order: what errors
            /// name fields by.
            pub(crate) const NAMES: &'static [&'static str] = &[ $( concat!($prefix, $key), )* ];
        }

        impl<'a> $crate::message::view::TypedObject<'a> for $name<'a> {
            #[inline]
            fn empty(raw: RawJson<'a>, plain: bool) -> Self {
                Self { raw, plain, $( $field: $crate::message::view_macros::absent!($kind), )* }
            }

            #[inline]
            fn object(&self) -> RawJson<'a> {
                self.raw
            }

            #[inline]
            fn set_object(&mut self, raw: RawJson<'a>) {
                self.raw = raw;
            }

            #[inline]
            fn set_plain(&mut self, plain: bool) {
                self.plain = plain;
                $( $crate::message::view_macros::set_plain_field!($kind, self.$field, plain); )*
            }

            #[inline(never)]
            fn fill_from<C: $crate::message::walk::Cursor<'a>>(
                &mut self,
                cur: &mut C,
                base: &'a str,
            ) -> Result<(), $crate::message::error::MessageError> {
                // Bare metal: the step to the next known member is one function for every view
                // and the field readers are out of line (`fill_from_shared`; `.ci/embedded-size`).
                #[cfg(target_os = "none")]
                return self.fill_from_shared(cur, base);
                #[cfg(not(target_os = "none"))]
                {
                    /// The fields, in the order of `KEYS`.
                    #[allow(non_camel_case_types)]
                    #[derive(Clone, Copy)]
                    enum Field { $( $field, )* }
                    const FIELDS: &[Field] = &[ $( Field::$field, )* ];
                    const KEYS: &[&str] = &[ $( $key, )* ];
                    const N: usize = KEYS.len();
                    const S: usize = $crate::message::view::key_slots(N);
                    const TABLE: $crate::message::view::KeyTable<N, S> =
                        $crate::message::view::KeyTable::new(KEYS);

                    $crate::message::view::check_len(self.raw, base)?;
                    let mut fill = $crate::message::view::Fill {
                        obj: self.raw.as_str(),
                        base,
                        plain: self.plain,
                        names: Self::NAMES,
                        error: None,
                    };
                    while let Some(key) = cur.next_key() {
                        let Some(index) = $crate::message::view::find_key(&TABLE, key) else {
                            cur.skip();
                            continue;
                        };
                        let ok = match FIELDS.get(index) {
                            $(
                                Some(Field::$field) => $crate::message::view_macros::read_field!(
                                    $kind, cur, &mut fill, index, &mut self.$field, concat!($prefix, $key)
                                ),
                            )*
                            None => true,
                        };
                        if !ok {
                            break;
                        }
                    }
                    fill.finish()
                }
            }
        }

        #[cfg(any(target_os = "none", test))]
        impl<'a> $name<'a> {
            /// [`fill_from`](crate::message::view::TypedObject::fill_from) as bare metal
            /// reads it: the search for the next known key is
            /// [`next_known`](crate::message::view::next_known), one function for every view,
            /// and this view's part is [`read_member`](Self::read_member) (the same readers in
            /// the same order, so the same view and the same errors; the tests compare both).
            #[cfg_attr(target_os = "none", inline)]
            #[cfg_attr(not(target_os = "none"), allow(dead_code))] // the tests' (some views)
            pub(crate) fn fill_from_shared<C: $crate::message::walk::Cursor<'a>>(
                &mut self,
                cur: &mut C,
                base: &'a str,
            ) -> Result<(), $crate::message::error::MessageError> {
                $crate::message::view::check_len(self.raw, base)?;
                let mut fill = $crate::message::view::Fill {
                    obj: self.raw.as_str(),
                    base,
                    plain: self.plain,
                    names: Self::NAMES,
                    error: None,
                };
                while let Some(index) = $crate::message::view::next_known(cur, Self::shared_keys()) {
                    if !self.read_member(cur, &mut fill, index) {
                        break;
                    }
                }
                fill.finish()
            }

            /// This view's keys as bare metal looks them up ([`next_known`](crate::message::view::next_known)):
            /// one `static` table, shared by every fill of the view.
            #[cfg_attr(not(target_os = "none"), allow(dead_code))] // the tests' (some views)
            pub(crate) fn shared_keys() -> &'static $crate::message::view::KeyTableRef<'static> {
                const KEYS: &[&str] = &[ $( $key, )* ];
                const N: usize = KEYS.len();
                const S: usize = $crate::message::view::key_slots(N);
                static STORED: $crate::message::view::KeyTable<N, S> =
                    $crate::message::view::KeyTable::new(KEYS);
                static SHARED: $crate::message::view::KeyTableRef<'static> = STORED.as_ref();
                &SHARED
            }

            /// Reads the value of the member whose key is the `index`th of this view's; `false`
            /// when mistyped (the error is in `fill`). Out of line: inlined into the member
            /// loop, each field's address is worked out before it and kept on the stack.
            #[inline(never)]
            #[cfg_attr(not(target_os = "none"), allow(dead_code))] // the tests' (some views)
            fn read_member<C: $crate::message::walk::Cursor<'a>>(
                &mut self,
                cur: &mut C,
                fill: &mut $crate::message::view::Fill<'a, '_>,
                index: usize,
            ) -> bool {
                /// The fields, in the order of the keys.
                #[allow(non_camel_case_types)]
                #[derive(Clone, Copy)]
                enum Field { $( $field, )* }
                const FIELDS: &[Field] = &[ $( Field::$field, )* ];
                match FIELDS.get(index) {
                    $(
                        Some(Field::$field) => $crate::message::view_macros::read_field!(
                            $kind, cur, fill, index, &mut self.$field, concat!($prefix, $key)
                        ),
                    )*
                    None => true,
                }
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $( $crate::message::view_macros::serialize_field!($kind, self, map, $field, $key); )*
                map.end()
            }
        }
    };
}
pub(crate) use typed_object;
