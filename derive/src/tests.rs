//! The attribute's naming, its refusals and what it writes.

use super::*;

/// serde's own renaming, for the rules the profile uses (`serde_derive`'s
/// `internals/case.rs`): the schema (schemars) and the reader must name keys alike.
#[test]
fn keys_and_strings_are_named_as_serde_names_them() {
    assert_eq!(rename_field("self_heal", Some("camelCase")), "selfHeal");
    assert_eq!(
        rename_field("stabilization_window_seconds", Some("camelCase")),
        "stabilizationWindowSeconds"
    );
    assert_eq!(rename_field("name", Some("camelCase")), "name");
    assert_eq!(rename_field("max_unavailable", None), "max_unavailable");
    assert_eq!(
        rename_variant("ApplicationSet", Some("camelCase")),
        "applicationSet"
    );
    assert_eq!(
        rename_variant("InPlaceOrRecreate", None),
        "InPlaceOrRecreate"
    );
    assert_eq!(
        rename_variant("Transaction", Some("lowercase")),
        "transaction"
    );
}

#[test]
fn only_option_is_optional() {
    assert!(is_option(&parse_quote!(Option<String>)));
    assert!(is_option(&parse_quote!(::core::option::Option<i64>)));
    assert!(!is_option(&parse_quote!(Vec<Option<i64>>)));
    assert!(!is_option(&parse_quote!(String)));
}

/// What a field says is checked where the attribute is expanded: a required field
/// that does not say what is missing, a default given twice, an unknown argument.
#[test]
#[allow(clippy::too_many_lines)] // a table of mistakes, each with what its error says
fn mistakes_in_a_definition_are_compile_errors() {
    let expand = |item: Tokens| structure(quote!(expected = "a map"), syn::parse2(item).unwrap());
    let required = expand(quote!(
        struct A {
            size: String,
        }
    ));
    assert!(required.unwrap_err().to_string().contains("expected = "));
    let twice = expand(quote!(
        struct A {
            #[serde(default)]
            #[profile(default = 1)]
            n: i64,
        }
    ));
    assert!(twice.unwrap_err().to_string().contains("given twice"));
    for (item, says) in [
        (
            quote!(
                struct A {
                    #[serde(default = "f")]
                    n: Option<i64>,
                }
            ),
            "no default",
        ),
        (
            quote!(
                struct A {
                    #[profile(expected = "n")]
                    n: Option<i64>,
                }
            ),
            "never missing",
        ),
        (
            quote!(
                struct A {
                    #[profile(default = 1, recover)]
                    n: i64,
                }
            ),
            "has a default",
        ),
        (
            quote!(
                struct A {
                    #[profile(default = 1, default = 2)]
                    n: i64,
                }
            ),
            "given twice",
        ),
        (
            quote!(
                struct A {
                    #[profile(default = 20, range(max = 10))]
                    n: i64,
                }
            ),
            "outside",
        ),
        (
            quote!(
                struct A {
                    #[profile(default = 1, range(min = 10, max = 0))]
                    n: i64,
                }
            ),
            "above",
        ),
        (
            quote!(
                struct A {
                    #[serde(skip)]
                    #[profile(default = 1)]
                    n: i64,
                }
            ),
            "disagree",
        ),
    ] {
        let error = expand(item).unwrap_err().to_string();
        assert!(error.contains(says), "{error}");
    }
    assert_eq!(rename_field("_under", Some("camelCase")), "under");
    assert_eq!(rename_field("a__b", Some("camelCase")), "aB");
    let unknown = expand(quote!(
        struct A {
            #[profile(maximum = 1)]
            n: Option<i64>,
        }
    ));
    assert!(
        unknown
            .unwrap_err()
            .to_string()
            .contains("range(min = A, max = B)")
    );
    let ok = expand(quote!(
        #[serde(rename_all = "camelCase")]
        struct A {
            #[profile(default = 3, range(min = 1))]
            pool_size: i64,
        }
    ))
    .unwrap()
    .to_string();
    assert!(ok.contains("\"poolSize\""), "{ok}");
    assert!(ok.contains("in_range"), "{ok}");
    assert!(ok.contains("__profile_default_A_pool_size"), "{ok}");
}
