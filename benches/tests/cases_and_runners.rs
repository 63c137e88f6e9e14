//! The cases are what the docs say, and every implementation reads the same thing.

use phx_benches::cases::{self, Case, Kind};
use phx_benches::{Impl, Op, Variant, prepare, prepare_variant};

const JSON_LIBRARIES: [Impl; 3] = [Impl::SerdeJsonValue, Impl::SerdeJsonTyped, Impl::SimdJson];

#[test]
fn the_reference_shout_is_exactly_250_bytes_of_a_widget_shout() {
    let case = Case::by_name("shout").unwrap();
    assert_eq!(case.bytes.len(), 250);
    let frame = phx_codec::decode_text(&case.bytes).unwrap();
    assert_eq!(frame.event(), "shout");
    assert_eq!(frame.join_ref().unwrap(), "1");
    for key in ["body", "customer_id", "sent_at"] {
        assert!(frame.payload_get(key).is_some(), "{key}");
    }
}

#[test]
fn every_case_has_the_size_the_docs_give() {
    let len = |name: &str| Case::by_name(name).unwrap().bytes.len();
    assert!((650..=800).contains(&len("shout_server")));
    assert_eq!(len("join"), 127);
    assert_eq!(len("reply_ok"), 103);
    assert_eq!(len("heartbeat"), 36);
    assert!((18 * 1024..=21 * 1024).contains(&len("presence_state_100")));
    assert!((64 * 1024..=66 * 1024).contains(&len("large_shout")));
    let binary = Case::by_name("binary_push").unwrap();
    let frame = phx_codec::binary::decode_from_client(&binary.bytes).unwrap();
    assert!(matches!(frame.payload(), phx_codec::Payload::Binary(p) if p.len() == 1024));
}

#[test]
fn every_listed_case_name_builds_a_case_and_unknown_names_do_not() {
    assert_eq!(Case::all().len(), cases::NAMES.len());
    assert!(Case::by_name("nope").is_none());
}

#[test]
fn presence_state_100_has_100_agents_with_updates() {
    let case = Case::by_name("presence_state_100").unwrap();
    let frame = phx_codec::decode_text(&case.bytes).unwrap();
    let payload = frame.payload_json().unwrap();
    assert_eq!(payload.members().unwrap().count(), 100);
    assert!(payload.as_str().contains("phx_ref_prev"));
}

#[test]
fn large_shout_body_has_escapes_and_non_ascii() {
    let case = Case::by_name("large_shout").unwrap();
    let frame = phx_codec::decode_text(&case.bytes).unwrap();
    let body = frame.payload_get("body").unwrap().as_json_str().unwrap();
    assert!(body.has_escapes());
    assert!(body.raw().len() >= 64 * 1024);
    let text: String = body.chars().collect();
    assert!(text.contains("Zoë") && text.contains("日本") && text.contains('🚚'));
    assert!(text.contains('\n') && text.contains('"') && text.contains('\u{1}'));
}

#[test]
fn all_implementations_agree_on_decode_and_typed_checksums() {
    for case in Case::all() {
        for op in [Op::Decode, Op::Typed] {
            let expected = prepare(Impl::Phx, &case, op).unwrap()();
            for variant in Variant::ALL {
                match prepare_variant(variant, &case, op) {
                    Ok(mut run) => assert_eq!(
                        run(),
                        expected,
                        "{} {} {}",
                        variant.name(),
                        case.name,
                        op.name()
                    ),
                    Err(_) => assert_eq!(case.kind, Kind::BinaryPush, "{}", variant.name()),
                }
            }
        }
    }
}

#[test]
fn all_implementations_encode_the_same_number_of_bytes() {
    for case in Case::all() {
        let expected = prepare(Impl::Phx, &case, Op::Encode).unwrap()();
        assert_eq!(expected, case.bytes.len() as u64, "{}", case.name);
        for variant in Variant::ALL {
            match prepare_variant(variant, &case, Op::Encode) {
                Ok(mut run) => assert_eq!(run(), expected, "{} {}", variant.name(), case.name),
                Err(_) => assert_eq!(case.kind, Kind::BinaryPush, "{}", variant.name()),
            }
        }
    }
}

#[test]
fn phx_std_runs_every_case_including_binary() {
    for case in Case::all() {
        for op in Op::ALL {
            for variant in [Variant::PhxStdOwned, Variant::PhxStdShared] {
                assert!(
                    prepare_variant(variant, &case, op).is_ok(),
                    "{} {}",
                    variant.name(),
                    case.name
                );
            }
        }
    }
}

#[test]
fn typed_access_reads_more_than_decode_alone() {
    let case = Case::by_name("shout_server").unwrap();
    let decode = prepare(Impl::Phx, &case, Op::Decode).unwrap()();
    let typed = prepare(Impl::Phx, &case, Op::Typed).unwrap()();
    assert!(typed > decode);
}

#[test]
fn json_libraries_refuse_the_binary_case() {
    let case = Case::by_name("binary_push").unwrap();
    for imp in JSON_LIBRARIES {
        let err = prepare(imp, &case, Op::Decode).err().unwrap();
        assert!(err.0.starts_with("unsupported"), "{err}");
    }
}

#[test]
fn every_variant_name_is_unique_and_phx_std_maps_to_the_shared_frame() {
    let names: std::collections::HashSet<_> = Variant::ALL.iter().map(|v| v.name()).collect();
    assert_eq!(names.len(), Variant::ALL.len());
    assert_eq!(Variant::from(Impl::PhxStd), Variant::PhxStdShared);
}

#[test]
fn impl_and_op_names_round_trip() {
    for imp in Impl::ALL {
        assert_eq!(Impl::from_name(imp.name()), Some(imp));
    }
    for op in Op::ALL {
        assert_eq!(Op::from_name(op.name()), Some(op));
    }
    assert_eq!(Impl::from_name("serde"), None);
}
