//! `serde_json` and `sonic-rs` with the hand-written borrowed structs of [`crate::typed`].
//!
//! - `decode`/`typed`: `from_slice` into `Envelope<payload struct>` (every field of
//!   [`crate::fields`]); `typed` then reads them.
//! - `encode`: `to_writer` of an `EnvelopeOut` built beforehand from the case's field
//!   values, into a reused `Vec`.
//! - `forward`: `to_writer` of the envelope decoded beforehand with the payload kept raw
//!   (`serde_json`: `&RawValue`; `sonic-rs`: `LazyValue`), the cheapest lossless path.

use serde::Deserialize;
use serde_json::value::RawValue;
use sonic_rs::LazyValue;

use super::Backend;
use crate::cases::{Case, Kind};
use crate::typed::{Count, Envelope, Id, JoinParams, PresenceState, Reply, Shout, Str, frame_out};
use crate::{FAILED, Op, Runner, Sum, Unsupported, Writer};

/// Reading every field of a typed payload ([`crate::fields`]).
pub(crate) trait ReadAll {
    fn read_all(&self, sum: &mut Sum);
}

fn text(sum: &mut Sum, s: Option<&Str<'_>>) {
    sum.str(s.map(Str::as_str));
}

fn id(sum: &mut Sum, id: Option<&Id<'_>>) {
    match id {
        Some(Id::Int(n)) => sum.int(Some(*n)),
        Some(Id::Str(s)) => text(sum, Some(s)),
        None => {}
    }
}

impl ReadAll for Shout<'_> {
    fn read_all(&self, sum: &mut Sum) {
        for s in [
            &self.id,
            &self.object,
            &self.body,
            &self.kind,
            &self.content_type,
            &self.source,
            &self.created_at,
            &self.sent_at,
            &self.seen_at,
            &self.conversation_id,
            &self.account_id,
            &self.customer_id,
        ] {
            text(sum, s.as_ref());
        }
        sum.flag(self.private);
        sum.int(self.user_id);
        if let Some(user) = &self.user {
            sum.int(user.id);
            for s in [
                &user.object,
                &user.email,
                &user.created_at,
                &user.disabled_at,
                &user.archived_at,
                &user.full_name,
                &user.display_name,
                &user.profile_photo_url,
                &user.role,
            ] {
                text(sum, s.as_ref());
            }
        }
        if let Some(c) = &self.customer {
            for s in [
                &c.id,
                &c.object,
                &c.name,
                &c.email,
                &c.phone,
                &c.external_id,
                &c.profile_photo_url,
                &c.company_id,
                &c.host,
                &c.pathname,
                &c.current_url,
                &c.browser,
                &c.os,
                &c.created_at,
                &c.updated_at,
                &c.title,
            ] {
                text(sum, s.as_ref());
            }
            sum.count(c.metadata.map(|m| m.0));
        }
        for a in self.attachments.iter().flatten() {
            id(sum, a.id.as_ref());
            for s in [&a.object, &a.file_url, &a.content_type, &a.filename] {
                text(sum, s.as_ref());
            }
        }
        sum.count(self.metadata.map(|m| m.0));
        for i in self.file_ids.iter().flatten() {
            id(sum, Some(i));
        }
        for n in self.mentioned_user_ids.iter().flatten() {
            sum.int(Some(*n));
        }
    }
}

impl ReadAll for JoinParams<'_> {
    fn read_all(&self, sum: &mut Sum) {
        text(sum, self.customer_id.as_ref());
    }
}

impl ReadAll for Reply<'_> {
    fn read_all(&self, sum: &mut Sum) {
        text(sum, self.status.as_ref());
        if let Some(response) = &self.response {
            sum.count(Some(response.count));
            text(sum, response.reason.as_ref());
        }
    }
}

impl ReadAll for Count {
    fn read_all(&self, sum: &mut Sum) {
        sum.count(Some(self.0));
    }
}

impl ReadAll for PresenceState<'_> {
    fn read_all(&self, sum: &mut Sum) {
        for (key, entry) in self {
            text(sum, Some(key));
            for meta in &entry.metas {
                for s in [
                    &meta.phx_ref,
                    &meta.phx_ref_prev,
                    &meta.online_at,
                    &meta.customer_id,
                ] {
                    text(sum, s.as_ref());
                }
                sum.int(meta.user_id);
            }
        }
    }
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Serde => "serde_json_typed",
        Backend::Sonic => "sonic_rs",
    }
}

pub(crate) fn prepare(case: &Case, op: Op, backend: Backend) -> Result<Runner<'_>, Unsupported> {
    match case.kind {
        Kind::ClientShout | Kind::ServerShout => typed::<Shout<'_>>(case, op, backend),
        Kind::Join => typed::<JoinParams<'_>>(case, op, backend),
        Kind::Reply => typed::<Reply<'_>>(case, op, backend),
        Kind::Heartbeat => typed::<Count>(case, op, backend),
        Kind::PresenceState => typed::<PresenceState<'_>>(case, op, backend),
        Kind::BinaryPush => Err(super::setup_failed(name(backend), case, &"binary")),
    }
}

fn parse<'c, T: Deserialize<'c>>(backend: Backend, bytes: &'c [u8]) -> Option<T> {
    match backend {
        Backend::Serde => serde_json::from_slice(bytes).ok(),
        Backend::Sonic => sonic_rs::from_slice(bytes).ok(),
    }
}

#[allow(clippy::unnecessary_wraps)] // one signature for every implementation
fn typed<'c, P>(case: &'c Case, op: Op, backend: Backend) -> Result<Runner<'c>, Unsupported>
where
    P: Deserialize<'c> + ReadAll + 'c,
{
    let bytes = &case.bytes[..];
    Ok(Box::new(move || {
        let Some(env) = parse::<Envelope<'c, P>>(backend, bytes) else {
            return FAILED;
        };
        let mut sum = Sum::default();
        if op == Op::Typed {
            text(&mut sum, env.0.as_ref());
            text(&mut sum, env.1.as_ref());
        }
        text(&mut sum, Some(&env.2));
        text(&mut sum, Some(&env.3));
        if op == Op::Typed {
            env.4.read_all(&mut sum);
        }
        sum.0
    }))
}

pub(crate) fn writer(case: &Case, op: Op, backend: Backend) -> Result<Writer<'_>, Unsupported> {
    let failed = |e: &dyn std::fmt::Display| super::setup_failed(name(backend), case, e);
    let bytes = &case.bytes[..];
    Ok(match (op, backend) {
        (Op::Forward, Backend::Serde) => {
            let env: Envelope<'_, &RawValue> =
                serde_json::from_slice(bytes).map_err(|e| failed(&e))?;
            Box::new(move |out: &mut Vec<u8>| {
                out.clear();
                serde_json::to_writer(&mut *out, &env).ok()?;
                Some(out.len())
            })
        }
        (Op::Forward, Backend::Sonic) => {
            let env: Envelope<'_, LazyValue<'_>> =
                sonic_rs::from_slice(bytes).map_err(|e| failed(&e))?;
            Box::new(move |out: &mut Vec<u8>| {
                out.clear();
                sonic_rs::to_writer(&mut *out, &env).ok()?;
                Some(out.len())
            })
        }
        (_, Backend::Serde) => {
            let env = frame_out(case).ok_or_else(|| failed(&"a field is missing"))?;
            Box::new(move |out: &mut Vec<u8>| {
                out.clear();
                serde_json::to_writer(&mut *out, &env).ok()?;
                Some(out.len())
            })
        }
        (_, Backend::Sonic) => {
            let env = frame_out(case).ok_or_else(|| failed(&"a field is missing"))?;
            Box::new(move |out: &mut Vec<u8>| {
                out.clear();
                sonic_rs::to_writer(&mut *out, &env).ok()?;
                Some(out.len())
            })
        }
    })
}
