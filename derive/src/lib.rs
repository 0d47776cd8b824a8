//! `#[profile]`: a profile type's one definition, from which its reader, its key list,
//! its fields' defaults and ranges, and (through schemars) its JSON Schema all follow.
//!
//! On a struct with named fields, each field says, in its own attributes:
//!
//! - its key: the field's name under the struct's `#[serde(rename_all = "camelCase")]`,
//!   or `#[serde(rename = "...")]`;
//! - whether it is required, optional or defaulted: `Option<T>` is optional; a field with
//!   `#[serde(default)]` (the type's `Default`), `#[serde(default = "path")]` or
//!   `#[profile(default = EXPR)]` takes that value when the key is left out; any other
//!   field is required and names what is missing with `#[profile(expected = "...")]`
//!   (with `recover`, a missing one is reported and leaves the type's default, and the
//!   rest of the value is kept, so that the rules on it still run);
//! - how it is read: the type's `FromNode`, or `#[profile(with = path)]`, a
//!   `fn(&Node, &mut Cx) -> Option<T>` for a value that needs more than its type;
//! - its range: `#[profile(range(min = A, max = B))]` is checked where the value is read
//!   (E0004, "expected an integer from A to B") and stated in the schema. A range that a
//!   lint rule reports with its own code stays a plain `#[schemars(range(...))]`.
//!
//! The attribute writes, next to the struct: `impl FromNode` (every field read with
//! `load::Fields`, so a wrong type, a missing field or an unknown key is a diagnostic and
//! the walk goes on), `KEYS` (the map's keys, in field order), one function per
//! `#[profile(default = EXPR)]` that both the reader and the schema's `default` call (the
//! field gets `#[serde(default = "that function")]`), `#[schemars(range(...))]` for each
//! range, and with `#[profile(default)]` on the struct, `impl Default` from the fields'
//! defaults. On the struct itself, `#[profile(expected = "...")]` is what a value of the
//! wrong type was expected to be, and `hints = PATH` names a table of keys that people
//! bring from elsewhere, with the fix (instead of a did-you-mean); `refuse = path`, a
//! `fn(&mut Fields, &mut Cx) -> bool`, claims and reports keys the format refuses (key
//! material) before the fields are read, and says whether the value is refused.
//!
//! On an enum of unit variants, it writes `CHOICES` (each variant's string, from
//! `#[serde(rename_all)]`/`#[serde(rename)]`, in order), `as_str` and `impl FromNode`.
//!
//! The generated code names `crate::load` and `crate::node`: the attribute is for the
//! mplp-scale crate only.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::parse::Parser as _;
use syn::{
    Attribute, Expr, Fields, Ident, Item, ItemEnum, ItemStruct, LitStr, Path, Type, parse_quote,
};

/// See the crate's documentation.
#[proc_macro_attribute]
pub fn profile(args: TokenStream, item: TokenStream) -> TokenStream {
    let result = match syn::parse::<Item>(item) {
        Ok(Item::Struct(item)) => structure(args.into(), item),
        Ok(Item::Enum(item)) if args.is_empty() => choices(&item),
        Ok(Item::Enum(item)) => Err(syn::Error::new_spanned(
            item.ident,
            "`#[profile]` on an enum takes no arguments (its strings come from serde's names)",
        )),
        Ok(other) => Err(syn::Error::new_spanned(
            other,
            "`#[profile]` goes on a struct with named fields or an enum of unit variants",
        )),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// `#[profile(...)]` on a struct.
#[derive(Default)]
struct StructArgs {
    expected: Option<LitStr>,
    hints: Option<Path>,
    refuse: Option<Path>,
    default: bool,
}

/// `#[profile(...)]` on a field.
#[derive(Default)]
struct FieldArgs {
    expected: Option<LitStr>,
    with: Option<Path>,
    default: Option<Expr>,
    min: Option<Expr>,
    max: Option<Expr>,
    recover: bool,
}

/// What serde's attributes say about a field's default.
enum SerdeDefault {
    None,
    Type,
    Path(Path),
}

/// How a field is filled in when its key is left out.
enum Absent {
    /// `Option<T>`: `None`.
    Optional,
    /// Required: E0005, naming what was expected.
    Required(LitStr),
    /// Required, but its absence (reported) leaves the type's default, and the rest of
    /// the value is kept so that the rules on it still run.
    Recover(LitStr),
    /// The type's `Default`.
    TypeDefault,
    /// A function's value.
    Function(Path),
}

/// One field, as the generated code needs it.
struct Field {
    ident: Ident,
    key: String,
    absent: Absent,
    /// A reader other than the type's `FromNode`.
    read: Option<Tokens>,
}

fn structure(args: Tokens, mut item: ItemStruct) -> syn::Result<Tokens> {
    let mut sargs = StructArgs::default();
    syn::meta::parser(|meta| {
        if meta.path.is_ident("expected") {
            sargs.expected = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("hints") {
            sargs.hints = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("refuse") {
            sargs.refuse = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("default") {
            sargs.default = true;
        } else {
            return Err(meta.error(
                "expected `expected = \"...\"`, `hints = PATH`, `refuse = path` or `default`",
            ));
        }
        Ok(())
    })
    .parse2(args)?;
    let Some(expected) = sargs.expected.clone() else {
        return Err(syn::Error::new_spanned(
            &item.ident,
            "`#[profile(expected = \"...\")]`: what a value of this type is, for the wrong-type message",
        ));
    };
    let rename_all = serde_rename_all(&item.attrs)?;
    let name = item.ident.clone();
    let Fields::Named(named) = &mut item.fields else {
        return Err(syn::Error::new_spanned(
            &item.ident,
            "`#[profile]` needs named fields",
        ));
    };
    let mut fields = Vec::new();
    let mut extra = Tokens::new();
    for field in &mut named.named {
        let ident = field.ident.clone().expect("named field");
        let fargs = field_args(&mut field.attrs)?;
        check_range(&fargs, &ident)?;
        let (rename, serde_default) = serde_field(&field.attrs)?;
        let plain = ident.to_string().trim_start_matches("r#").to_owned();
        let key = rename.unwrap_or_else(|| rename_field(&plain, rename_all.as_deref()));
        let absent = absent(&name, &plain, &fargs, serde_default, field, &mut extra)?;
        let read = reader(&fargs, field)?;
        fields.push(Field {
            ident,
            key,
            absent,
            read,
        });
    }
    let from_node = from_node(&name, &sargs, &expected, &fields);
    let default = sargs
        .default
        .then(|| default_impl(&name, &fields))
        .transpose()?;
    let keys = fields.iter().map(|f| &f.key);
    Ok(quote! {
        #item
        #extra
        impl #name {
            /// The keys of this type's map, in field order (`#[profile]`).
            pub(crate) const KEYS: &[&str] = &[#(#keys),*];
        }
        #from_node
        #default
    })
}

/// How a field is filled in when its key is left out; a `#[profile(default = EXPR)]`
/// becomes a function in `extra`, named on the field for serde and schemars.
fn absent(
    name: &Ident,
    plain: &str,
    fargs: &FieldArgs,
    serde_default: SerdeDefault,
    field: &mut syn::Field,
    extra: &mut Tokens,
) -> syn::Result<Absent> {
    let ident = field.ident.clone();
    let fail = |message: &str| Err(syn::Error::new_spanned(&ident, message));
    let defaulted = fargs.default.is_some() || !matches!(serde_default, SerdeDefault::None);
    if is_option(&field.ty) {
        // An optional field's default is `None`, whatever an attribute says.
        if defaulted {
            return fail("an `Option` field has no default: it is `None` when left out");
        }
        if fargs.expected.is_some() || fargs.recover {
            return fail(
                "an `Option` field is never missing: `expected` and `recover` do not apply",
            );
        }
        return Ok(Absent::Optional);
    }
    if defaulted && (fargs.expected.is_some() || fargs.recover) {
        return fail("`expected` and `recover` are for a required field: this one has a default");
    }
    Ok(match (&fargs.default, serde_default) {
        (Some(_), SerdeDefault::Type | SerdeDefault::Path(_)) => {
            return Err(syn::Error::new_spanned(
                &ident,
                "a default is given twice: `#[profile(default = ...)]` and `#[serde(default ...)]`",
            ));
        }
        (Some(value), SerdeDefault::None) => {
            let function = format_ident!("__profile_default_{name}_{plain}");
            let ty = &field.ty;
            extra.extend(quote! {
                #[doc(hidden)]
                #[allow(non_snake_case, clippy::useless_conversion)]
                fn #function() -> #ty {
                    ::core::convert::Into::into(#value)
                }
            });
            let path = LitStr::new(&function.to_string(), function.span());
            field.attrs.push(parse_quote!(#[serde(default = #path)]));
            Absent::Function(parse_quote!(#function))
        }
        (None, SerdeDefault::Type) => Absent::TypeDefault,
        (None, SerdeDefault::Path(path)) => Absent::Function(path),
        (None, SerdeDefault::None) => match fargs.expected.clone() {
            Some(what) if fargs.recover => Absent::Recover(what),
            Some(what) => Absent::Required(what),
            None => {
                return fail(
                    "a required field names what is missing (`#[profile(expected = \"...\")]`), \
                     or has a default (`#[profile(default = ...)]`, `#[serde(default)]`), or is an `Option`",
                );
            }
        },
    })
}

/// A range whose bounds are the wrong way round, or a default outside its range, where
/// both are integer literals (the schema would state what the reader refuses).
fn check_range(fargs: &FieldArgs, ident: &Ident) -> syn::Result<()> {
    let (min, max) = (
        fargs.min.as_ref().and_then(int_literal),
        fargs.max.as_ref().and_then(int_literal),
    );
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(syn::Error::new_spanned(
            ident,
            "a range whose `min` is above its `max`",
        ));
    }
    if let Some(default) = fargs.default.as_ref().and_then(int_literal)
        && (min.is_some_and(|min| default < min) || max.is_some_and(|max| default > max))
    {
        return Err(syn::Error::new_spanned(
            ident,
            "the default is outside the field's range",
        ));
    }
    Ok(())
}

/// The value of an integer literal, negative or not.
fn int_literal(expr: &Expr) -> Option<i128> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse().ok(),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => int_literal(expr).map(|i| -i),
        _ => None,
    }
}

/// The reader of a field other than its type's `FromNode`, if any; adds the range to the
/// schema.
fn reader(fargs: &FieldArgs, field: &mut syn::Field) -> syn::Result<Option<Tokens>> {
    if fargs.min.is_none() && fargs.max.is_none() {
        return Ok(fargs.with.as_ref().map(|path| quote!(#path)));
    }
    if fargs.with.is_some() {
        return Err(syn::Error::new_spanned(
            &field.ident,
            "`range` and `with` together: check the range in the `with` function",
        ));
    }
    let bounds: Vec<Tokens> = [("min", &fargs.min), ("max", &fargs.max)]
        .into_iter()
        .filter_map(|(name, value)| {
            let name = format_ident!("{name}");
            value.as_ref().map(|v| quote!(#name = #v))
        })
        .collect();
    field
        .attrs
        .push(parse_quote!(#[schemars(range(#(#bounds),*))]));
    let bound = |value: &Option<Expr>| {
        value.as_ref().map_or_else(
            || quote!(::core::option::Option::None),
            |v| quote!(::core::option::Option::Some(#v)),
        )
    };
    let (min, max) = (bound(&fargs.min), bound(&fargs.max));
    Ok(Some(
        quote!(|node, cx| crate::load::in_range(node, cx, #min, #max)),
    ))
}

fn from_node(name: &Ident, sargs: &StructArgs, expected: &LitStr, fields: &[Field]) -> Tokens {
    let hints = sargs.hints.as_ref().map(|h| quote!(.hints(#h)));
    // `refuse`: claims and reports keys the format refuses (key material), first; the
    // fields are still read and checked, but the value is not kept.
    let (refuse, refused) = match &sargs.refuse {
        Some(path) => (
            quote!(let refused = #path(&mut f, cx);),
            quote!(if refused {
                return ::core::option::Option::None;
            }),
        ),
        None => (Tokens::new(), Tokens::new()),
    };
    let reads = fields.iter().map(|f| {
        let (ident, key) = (&f.ident, &f.key);
        match (&f.absent, &f.read) {
            (Absent::Required(what) | Absent::Recover(what), None) => {
                quote!(let #ident = f.req(cx, #key, #what);)
            }
            (Absent::Required(what) | Absent::Recover(what), Some(read)) => {
                quote!(let #ident = f.req_with(cx, #key, #what, #read);)
            }
            (_, None) => quote!(let #ident = f.opt(cx, #key);),
            (_, Some(read)) => quote!(let #ident = f.opt_with(cx, #key, #read);),
        }
    });
    let values = fields.iter().map(|f| {
        let ident = &f.ident;
        match &f.absent {
            Absent::Optional => quote!(#ident),
            Absent::Required(_) => quote!(#ident: #ident?),
            Absent::TypeDefault | Absent::Recover(_) => quote!(#ident: #ident.unwrap_or_default()),
            Absent::Function(path) => quote!(#ident: #ident.unwrap_or_else(#path)),
        }
    });
    // A field that recovers keeps the value when it is missing: so do unknown keys.
    let finish = if fields
        .iter()
        .any(|f| matches!(f.absent, Absent::Recover(_)))
    {
        quote!(let _ = f.finish(cx);)
    } else {
        quote!(f.finish(cx)?;)
    };
    quote! {
        impl crate::load::FromNode for #name {
            fn from_node(node: &crate::node::Node, cx: &mut crate::load::Cx) -> ::core::option::Option<Self> {
                let mut f = crate::load::Fields::new(node, cx, #expected)? #hints;
                #refuse
                #(#reads)*
                #finish
                #refused
                ::core::option::Option::Some(#name { #(#values),* })
            }
        }
    }
}

fn default_impl(name: &Ident, fields: &[Field]) -> syn::Result<Tokens> {
    let mut values = Vec::new();
    for f in fields {
        let ident = &f.ident;
        values.push(match &f.absent {
            Absent::Optional => quote!(#ident: ::core::option::Option::None),
            Absent::TypeDefault => quote!(#ident: ::core::default::Default::default()),
            Absent::Function(path) => quote!(#ident: #path()),
            Absent::Required(_) | Absent::Recover(_) => {
                return Err(syn::Error::new_spanned(
                    ident,
                    "`#[profile(default)]` on a struct: every field needs a default",
                ));
            }
        });
    }
    Ok(quote! {
        impl ::core::default::Default for #name {
            fn default() -> Self {
                #name { #(#values),* }
            }
        }
    })
}

fn choices(item: &ItemEnum) -> syn::Result<Tokens> {
    let rename_all = serde_rename_all(&item.attrs)?;
    let name = &item.ident;
    let mut strings = Vec::new();
    let mut variants = Vec::new();
    for variant in &item.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(
                variant,
                "`#[profile]` enums have unit variants only (read other enums by hand)",
            ));
        }
        let (rename, _) = serde_field(&variant.attrs)?;
        let plain = variant.ident.to_string();
        strings.push(rename.unwrap_or_else(|| rename_variant(&plain, rename_all.as_deref())));
        variants.push(&variant.ident);
    }
    Ok(quote! {
        #item
        impl #name {
            /// The strings this enum is written as, in variant order (`#[profile]`).
            pub(crate) const CHOICES: &[(&str, #name)] = &[#((#strings, #name::#variants)),*];

            /// The string this value is written as.
            #[must_use]
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    #(#name::#variants => #strings),*
                }
            }
        }
        impl crate::load::FromNode for #name {
            fn from_node(node: &crate::node::Node, cx: &mut crate::load::Cx) -> ::core::option::Option<Self> {
                cx.choice(node, Self::CHOICES)
            }
        }
    })
}

/// Takes the `#[profile(...)]` attributes off a field and reads them.
fn field_args(attrs: &mut Vec<Attribute>) -> syn::Result<FieldArgs> {
    let mut out = FieldArgs::default();
    let mut result = Ok(());
    attrs.retain(|attr| {
        if !attr.path().is_ident("profile") {
            return true;
        }
        if result.is_ok() {
            result = attr.parse_nested_meta(|meta| {
                let twice = |given: bool| {
                    if given {
                        Err(meta.error("given twice"))
                    } else {
                        Ok(())
                    }
                };
                if meta.path.is_ident("expected") {
                    twice(out.expected.is_some())?;
                    out.expected = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("with") {
                    twice(out.with.is_some())?;
                    out.with = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("default") {
                    twice(out.default.is_some())?;
                    out.default = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("recover") {
                    out.recover = true;
                } else if meta.path.is_ident("range") {
                    twice(out.min.is_some() || out.max.is_some())?;
                    meta.parse_nested_meta(|bound| {
                        if bound.path.is_ident("min") {
                            out.min = Some(bound.value()?.parse()?);
                        } else if bound.path.is_ident("max") {
                            out.max = Some(bound.value()?.parse()?);
                        } else {
                            return Err(bound.error("expected `min = N` or `max = N`"));
                        }
                        Ok(())
                    })?;
                } else {
                    return Err(meta.error(
                        "expected `expected = \"...\"`, `with = path`, `default = EXPR`, `recover` or `range(min = A, max = B)`",
                    ));
                }
                Ok(())
            });
        }
        false
    });
    result.map(|()| out)
}

/// `#[serde(rename_all = "...")]`, if given.
fn serde_rename_all(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let mut out = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let rule = meta.value()?.parse::<LitStr>()?;
                if !["camelCase", "lowercase"].contains(&rule.value().as_str()) {
                    return Err(syn::Error::new_spanned(
                        &rule,
                        "`#[profile]` knows `rename_all = \"camelCase\"` and `\"lowercase\"` only",
                    ));
                }
                out = Some(rule.value());
                Ok(())
            } else {
                skip(&meta)
            }
        })?;
    }
    Ok(out)
}

/// `#[serde(rename = "...")]` and `#[serde(default ...)]` of a field or variant.
fn serde_field(attrs: &[Attribute]) -> syn::Result<(Option<String>, SerdeDefault)> {
    let mut rename = None;
    let mut default = SerdeDefault::None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if ["skip", "skip_deserializing", "skip_serializing", "flatten", "alias"]
                .iter()
                .any(|unread| meta.path.is_ident(unread))
            {
                return Err(meta.error(
                    "`#[profile]` reads every field under its one key: this serde attribute would make the schema and the reader disagree",
                ));
            }
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("default") {
                default = if meta.input.peek(syn::Token![=]) {
                    SerdeDefault::Path(meta.value()?.parse::<LitStr>()?.parse()?)
                } else {
                    SerdeDefault::Type
                };
            } else {
                skip(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok((rename, default))
}

/// Passes over a serde argument this attribute does not read (`deny_unknown_fields`,
/// `with = "..."`, ...).
fn skip(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip(&inner))?;
    }
    Ok(())
}

/// A field's key under `rename_all` (only the rules the profile uses), as serde
/// computes it (`serde_derive`'s `internals/case.rs`: every `_` dropped and the next
/// character upper-cased, then the first lower-cased).
fn rename_field(name: &str, rule: Option<&str>) -> String {
    match rule {
        Some("camelCase") => {
            let mut pascal = String::new();
            let mut capitalize = true;
            for c in name.chars() {
                if c == '_' {
                    capitalize = true;
                } else if capitalize {
                    pascal.push(c.to_ascii_uppercase());
                    capitalize = false;
                } else {
                    pascal.push(c);
                }
            }
            lower_first(&pascal)
        }
        _ => name.to_owned(),
    }
}

/// A variant's string under `rename_all` (only the rules the profile uses).
fn rename_variant(name: &str, rule: Option<&str>) -> String {
    match rule {
        Some("lowercase") => name.to_ascii_lowercase(),
        Some("camelCase") => lower_first(name),
        _ => name.to_owned(),
    }
}

/// `text` with its first character lower-cased (serde's `camelCase` from `PascalCase`).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect()
}

/// Whether a field's type is `Option<...>`.
fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

#[cfg(test)]
mod tests;
