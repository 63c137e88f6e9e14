//! `serde_json` into the hand-written borrowed structs of [`crate::typed`].

use serde::{Deserialize, Serialize};

use crate::cases::{Case, Kind};
use crate::typed::{
    ClientShout, Empty, Envelope, JoinParams, PresenceState, Reply, ServerShout, Str,
};
use crate::{FAILED, Op, Runner, Sum, Unsupported};

/// Reading every field of a typed payload.
pub(crate) trait ReadAll {
    fn read_all(&self, sum: &mut Sum);
}

fn text(s: Option<&Str<'_>>) -> Option<usize> {
    s.map(|s| s.as_str().len())
}

impl ReadAll for ClientShout<'_> {
    fn read_all(&self, sum: &mut Sum) {
        sum.text(text(Some(&self.body)));
        sum.text(text(self.customer_id.as_ref()));
        sum.text(text(self.conversation_id.as_ref()));
        sum.text(text(self.sent_at.as_ref()));
    }
}

impl ReadAll for ServerShout<'_> {
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
            sum.text(text(s.as_ref()));
        }
        sum.flag(self.private);
        sum.int(self.user_id);
        if let Some(user) = &self.user {
            sum.int(Some(user.id));
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
                sum.text(text(s.as_ref()));
            }
        }
        for a in &self.attachments {
            sum.int(Some(a.id));
            for s in [&a.object, &a.file_url, &a.content_type, &a.filename] {
                sum.text(text(s.as_ref()));
            }
        }
        sum.count(self.metadata.as_ref().map(std::collections::HashMap::len));
    }
}

impl ReadAll for JoinParams<'_> {
    fn read_all(&self, sum: &mut Sum) {
        sum.text(text(self.customer_id.as_ref()));
    }
}

impl ReadAll for Reply<'_> {
    fn read_all(&self, sum: &mut Sum) {
        sum.text(text(self.status.as_ref()));
        sum.count(Some(0));
    }
}

impl ReadAll for Empty {
    fn read_all(&self, sum: &mut Sum) {
        sum.count(Some(0));
    }
}

impl ReadAll for PresenceState<'_> {
    fn read_all(&self, sum: &mut Sum) {
        for (key, entry) in self {
            sum.text(Some(key.as_str().len()));
            for meta in &entry.metas {
                sum.text(text(meta.online_at.as_ref()));
                sum.text(Some(meta.phx_ref.as_str().len()));
                sum.text(text(meta.phx_ref_prev.as_ref()));
                sum.int(meta.user_id);
            }
        }
    }
}

pub(crate) fn prepare<'c>(case: &'c Case, op: Op) -> Result<Runner<'c>, Unsupported> {
    match case.kind {
        Kind::ClientShout => typed::<ClientShout<'c>>(case, op),
        Kind::ServerShout => typed::<ServerShout<'c>>(case, op),
        Kind::Join => typed::<JoinParams<'c>>(case, op),
        Kind::Reply => typed::<Reply<'c>>(case, op),
        Kind::Heartbeat => typed::<Empty>(case, op),
        Kind::PresenceState => typed::<PresenceState<'c>>(case, op),
        Kind::BinaryPush => Err(super::json_only("serde_json_typed", case)),
    }
}

fn envelope<P>(env: &Envelope<'_, P>, sum: &mut Sum) {
    sum.text(Some(env.2.as_str().len()));
    sum.text(Some(env.3.as_str().len()));
}

fn typed<'c, P>(case: &'c Case, op: Op) -> Result<Runner<'c>, Unsupported>
where
    P: Deserialize<'c> + Serialize + ReadAll + 'c,
{
    let bytes = &case.bytes[..];
    Ok(match op {
        Op::Decode => Box::new(
            move || match serde_json::from_slice::<Envelope<'c, P>>(bytes) {
                Ok(env) => {
                    let mut sum = Sum::default();
                    envelope(&env, &mut sum);
                    sum.0
                }
                Err(_) => FAILED,
            },
        ),
        Op::Typed => Box::new(
            move || match serde_json::from_slice::<Envelope<'c, P>>(bytes) {
                Ok(env) => {
                    let mut sum = Sum::default();
                    sum.text(text(env.0.as_ref()));
                    sum.text(text(env.1.as_ref()));
                    envelope(&env, &mut sum);
                    env.4.read_all(&mut sum);
                    sum.0
                }
                Err(_) => FAILED,
            },
        ),
        Op::Encode => {
            let env: Envelope<'c, P> = serde_json::from_slice(bytes)
                .map_err(|e| Unsupported(format!("serde_json cannot read {}: {e}", case.name)))?;
            Box::new(move || serde_json::to_vec(&env).map_or(FAILED, |out| crate::len64(out.len())))
        }
    })
}
