//! `vsn` negotiation at the HTTP upgrade.

use core::fmt;

use crate::Vsn;
use crate::wire::VsnMatch;

/// Why a `vsn` query parameter was refused. Phoenix answers both with HTTP 403 and no upgrade
/// ([`VsnRejection::HTTP_STATUS`]).
///
/// ```
/// use phx_codec::session::server::{negotiate_vsn, VsnRejection};
/// let refused = negotiate_vsn(Some("2.1.0")).unwrap_err();
/// assert_eq!(refused, VsnRejection::Unsupported);
/// assert_eq!(refused.to_string(), "vsn matches neither ~> 2.0.0 nor ~> 1.0.0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VsnRejection {
    /// Not a version string (`"2"`, `"abc"`, `"2.0.0.0"`, leading zeros...).
    Invalid,
    /// A version, but neither `~> 2.0.0` nor `~> 1.0.0` (`"2.1.0"`, `"3.0.0"`, `"2.0.0-rc.1"`).
    Unsupported,
}

impl VsnRejection {
    /// The HTTP status Phoenix refuses the upgrade with.
    ///
    /// ```
    /// assert_eq!(phx_codec::session::server::VsnRejection::HTTP_STATUS, 403);
    /// ```
    pub const HTTP_STATUS: u16 = 403;
}

impl fmt::Display for VsnRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid => f.write_str("vsn is not a version (MAJOR.MINOR.PATCH)"),
            Self::Unsupported => f.write_str("vsn matches neither ~> 2.0.0 nor ~> 1.0.0"),
        }
    }
}

impl core::error::Error for VsnRejection {}

/// Chooses the serializer for the `vsn` query parameter as Phoenix does: absent means
/// `1.0.0`; the version must parse (Elixir's `Version`: `MAJOR.MINOR.PATCH`, optional
/// `-pre-release` and `+build`, no leading zeros) and match `~> 2.0.0` (V2) or `~> 1.0.0`
/// (V1), that is `>= X.0.0 and < X.1.0`.
///
/// ```
/// use phx_codec::Vsn;
/// use phx_codec::session::server::{negotiate_vsn, VsnRejection};
/// assert_eq!(negotiate_vsn(Some("2.0.0")), Ok(Vsn::V2));
/// assert_eq!(negotiate_vsn(Some("2.0.1")), Ok(Vsn::V2));
/// assert_eq!(negotiate_vsn(Some("1.0.1")), Ok(Vsn::V1));
/// assert_eq!(negotiate_vsn(None), Ok(Vsn::V1));
/// assert_eq!(negotiate_vsn(Some("2.1.0")), Err(VsnRejection::Unsupported));
/// assert_eq!(negotiate_vsn(Some("garbage")), Err(VsnRejection::Invalid));
/// ```
pub fn negotiate_vsn(vsn: Option<&str>) -> Result<Vsn, VsnRejection> {
    match Vsn::match_requirement(vsn) {
        VsnMatch::Matched(vsn) => Ok(vsn),
        VsnMatch::NotAVersion => Err(VsnRejection::Invalid),
        VsnMatch::Unsupported => Err(VsnRejection::Unsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vsn;

    #[test]
    fn vsn_follows_the_tilde_arrow_rule() {
        let cases: &[(Option<&str>, Result<Vsn, VsnRejection>)] = &[
            (None, Ok(Vsn::V1)),
            (Some("1.0.0"), Ok(Vsn::V1)),
            (Some("1.0.1"), Ok(Vsn::V1)),
            (Some("2.0.0"), Ok(Vsn::V2)),
            (Some("2.0.1"), Ok(Vsn::V2)),
            (Some("2.0.10+build.5"), Ok(Vsn::V2)),
            (Some("2.0.1-rc.1"), Ok(Vsn::V2)),
            (Some("2.0.0-rc.1"), Err(VsnRejection::Unsupported)),
            (Some("2.1.0"), Err(VsnRejection::Unsupported)),
            (Some("3.0.0"), Err(VsnRejection::Unsupported)),
            (Some("0.9.0"), Err(VsnRejection::Unsupported)),
            (Some("2.0"), Err(VsnRejection::Invalid)),
            (Some("2"), Err(VsnRejection::Invalid)),
            (Some(""), Err(VsnRejection::Invalid)),
            (Some("02.0.0"), Err(VsnRejection::Invalid)),
            (Some("2.0.0.0"), Err(VsnRejection::Invalid)),
            (Some("2.0.0-"), Err(VsnRejection::Invalid)),
            (Some("2.0.0-01"), Err(VsnRejection::Invalid)),
            (Some("v2.0.0"), Err(VsnRejection::Invalid)),
            (Some("garbage"), Err(VsnRejection::Invalid)),
            (
                Some("99999999999999999999999.0.0"),
                Err(VsnRejection::Invalid),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(negotiate_vsn(*input), *want, "vsn {input:?}");
        }
    }
}
