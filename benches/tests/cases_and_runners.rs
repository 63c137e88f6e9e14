//! The cases are what the docs say, and every implementation reads the same thing.

use phx_benches::cases::{self, Case};
use phx_benches::{Impl, Op, Variant, output, prepare, prepare_variant, unsupported};

const JSON_LIBRARIES: [Impl; 4] = [
    Impl::SerdeJsonValue,
    Impl::SerdeJsonTyped,
    Impl::SimdJson,
    Impl::SonicRs,
];

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

/// Every combination runs, or is declared unsupported by `unsupported` and refused.
fn run_or_refused(variant: Variant, case: &Case, op: Op) -> Option<phx_benches::Runner<'_>> {
    let declared = unsupported(variant, case.kind, op);
    match prepare_variant(variant, case, op) {
        Ok(run) => {
            assert!(
                declared.is_none(),
                "{} {} {} ran",
                variant.name(),
                case.name,
                op.name()
            );
            Some(run)
        }
        Err(e) => {
            assert!(
                declared.is_some(),
                "{} {} {}: {e}",
                variant.name(),
                case.name,
                op.name()
            );
            assert!(e.0.starts_with("unsupported"), "{e}");
            None
        }
    }
}

#[test]
fn all_implementations_agree_on_decode_and_typed_checksums() {
    for case in Case::all() {
        for op in [Op::Decode, Op::Typed] {
            let expected = prepare(Impl::Phx, &case, op).unwrap()();
            for variant in Variant::ALL {
                if let Some(mut run) = run_or_refused(variant, &case, op) {
                    assert_eq!(
                        run(),
                        expected,
                        "{} {} {}",
                        variant.name(),
                        case.name,
                        op.name()
                    );
                }
            }
        }
    }
}

#[test]
fn the_declared_unsupported_combinations_are_json_libraries_on_binary_push_only() {
    let mut declared = Vec::new();
    for case in Case::all() {
        for op in Op::ALL {
            for variant in Variant::ALL {
                if unsupported(variant, case.kind, op).is_some() {
                    declared.push((variant.name(), case.name, op.name()));
                }
            }
        }
    }
    let expected: Vec<_> = ["binary_push"]
        .iter()
        .flat_map(|c| {
            Op::ALL.iter().flat_map(move |op| {
                [
                    "serde_json_value",
                    "serde_json_typed",
                    "simd_json",
                    "sonic_rs",
                ]
                .iter()
                .map(move |v| (*v, *c, op.name()))
            })
        })
        .collect();
    assert_eq!(declared, expected);
}

/// Implementations that cannot choose the order of object keys they write: a `Value`'s map
/// is sorted (serde_json) or hashed (simd-json's `OwnedValue`, used by `forward`).
const KEY_ORDER_NOT_KEPT: [(Variant, Op); 3] = [
    (Variant::SerdeJsonValue, Op::Encode),
    (Variant::SerdeJsonValue, Op::Forward),
    (Variant::SimdJson, Op::Forward),
];

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("the output is JSON")
}

#[test]
fn every_implementation_writes_the_same_bytes_for_encode_and_forward() {
    for case in Case::all() {
        for op in [Op::Encode, Op::Forward] {
            let expected = output(Variant::Phx, &case, op).unwrap();
            // What phx writes is the case's frame (forward: byte for byte).
            if op == Op::Forward || case.is_binary() {
                assert_eq!(expected, case.bytes, "{} {}", case.name, op.name());
            } else {
                assert_eq!(json(&expected), json(&case.bytes), "{}", case.name);
            }
            let mut run = prepare(Impl::Phx, &case, op).unwrap();
            assert_eq!(run(), expected.len() as u64);
            for variant in Variant::ALL {
                if run_or_refused(variant, &case, op).is_none() {
                    continue;
                }
                let out = output(variant, &case, op).unwrap();
                let what = format!("{} {} {}", variant.name(), case.name, op.name());
                if KEY_ORDER_NOT_KEPT.contains(&(variant, op)) {
                    assert_eq!(json(&out), json(&expected), "{what}");
                    assert_eq!(out.len(), expected.len(), "{what}");
                } else {
                    let at = out
                        .iter()
                        .zip(&expected)
                        .take_while(|(a, b)| a == b)
                        .count();
                    assert!(
                        out == expected,
                        "{what}: differs at byte {at}: {:?} vs {:?}",
                        String::from_utf8_lossy(
                            &out[at.saturating_sub(20)..(at + 40).min(out.len())]
                        ),
                        String::from_utf8_lossy(
                            &expected[at.saturating_sub(20)..(at + 40).min(expected.len())]
                        ),
                    );
                }
                let mut run = prepare_variant(variant, &case, op).unwrap();
                assert_eq!(run(), out.len() as u64, "{what}");
            }
        }
    }
}

#[test]
fn encode_builds_from_unescaped_values_so_phx_escapes_on_write() {
    // The encoders get unescaped text: large_shout's body is escaped again on every run.
    let case = Case::by_name("large_shout").unwrap();
    let body = case.fields[4]["body"].as_str().unwrap();
    assert!(body.contains('\n') && body.contains('"'));
    let out = output(Variant::Phx, &case, Op::Encode).unwrap();
    assert_eq!(out, case.bytes);
}

#[test]
fn typed_reads_every_listed_field_of_the_server_shout() {
    // A field left out by every implementation would still agree; this pins the total.
    let case = Case::by_name("shout_server").unwrap();
    let typed = prepare(Impl::Phx, &case, Op::Typed).unwrap()();
    let mut sum = phx_benches::Sum::default();
    let v = &case.fields;
    for i in 0..4 {
        sum.str(v[i].as_str());
    }
    let p = &v[4];
    for key in phx_benches::fields::SHOUT_TEXT {
        sum.str(p[key].as_str());
    }
    sum.flag(p["private"].as_bool());
    sum.int(p["user_id"].as_i64());
    sum.int(p["user"]["id"].as_i64());
    for key in phx_benches::fields::USER_TEXT {
        sum.str(p["user"][key].as_str());
    }
    assert_eq!(typed, sum.0);
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
    assert_ne!(typed, decode);
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
