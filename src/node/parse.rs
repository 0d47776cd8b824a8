//! The profile's YAML read at the event level: a walker over granit-parser's events
//! (the scanner serde-saphyr itself reads with) builds the positioned [`Node`] tree
//! directly, with no serde layer in between.
//!
//! What it keeps from the serde-saphyr `Spanned` path it replaces, checked by a
//! differential test against that path (`legacy.rs`): the positions (line and column of
//! each value and key; every node an alias brings in is placed at the alias), the YAML
//! 1.1 value rules (`scalar.rs`), merge keys (`<<`), the duplicate-key error, the
//! parser's own messages, and the budgets: depth 64, 100,000 nodes with aliases
//! expanded (and twice that many events), one document, 50,000 anchors and aliases, and
//! no more than ten aliases per anchor once there are a hundred.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, ScanError, Span as Range, StrInput, Tag};
use indexmap::IndexMap;

use super::scalar::{self, Kind, Scalar};
use super::{Entry, MAX_DEPTH, MAX_NODES, Node, ParseError, Value, is_plain_token};
use crate::diagnostic::Seg;
use crate::source::{FileId, Span};

/// Most parser events (aliases expanded), as serde-saphyr counted them.
const MAX_EVENTS: usize = 2 * MAX_NODES;
const MAX_ALIASES: usize = 50_000;
const MAX_ANCHORS: usize = 50_000;
/// Nodes copied into anchors (nested anchors copy their content again).
const MAX_RECORDED: usize = 1_000_000;

/// A budget breach: the words `node::describe_budget` turns into the message.
enum Breach {
    Nodes,
    Depth,
    Documents,
    Anchors,
}

impl Breach {
    fn message(&self) -> String {
        match self {
            Breach::Nodes => format!(
                "the file has (or expands through aliases to) more than {MAX_NODES} YAML nodes: refused (a \"billion laughs\" file?)"
            ),
            Breach::Depth => format!("the file nests deeper than {MAX_DEPTH} levels: refused"),
            Breach::Documents => {
                "the file holds more than one YAML document: a profile is one document".to_owned()
            }
            Breach::Anchors => "the file defines too many anchors: refused".to_owned(),
        }
    }
}

/// An anchored node, kept to be copied where an alias names it.
struct Anchored {
    node: Node,
    /// Its nodes and events, charged again at every alias.
    nodes: usize,
    events: usize,
}

struct Walker<'t> {
    parser: Parser<'t, StrInput<'t>>,
    file: FileId,
    text: &'t str,
    anchors: Vec<Option<Anchored>>,
    defined_anchors: usize,
    aliases: usize,
    nodes: usize,
    events: usize,
    recorded: usize,
    /// Open anchors: their first node and event counts, to size them when they close.
    open: Vec<(usize, usize)>,
    last: Span,
}

type Step<T> = Result<T, ParseError>;

/// Parse one file's text (already checked for size and NUL bytes).
pub(super) fn parse(file: FileId, text: &str) -> Step<Node> {
    let options = granit_parser::options! {
        simple_key_max_lookahead: 1024,
        flow_nesting_limit: 255,
        block_nesting_limit: 255.max(MAX_DEPTH + 1),
        emit_comments: false,
    };
    let mut walker = Walker {
        parser: Parser::new_from_str_with_options(text, options),
        file,
        text,
        anchors: Vec::new(),
        defined_anchors: 0,
        aliases: 0,
        nodes: 0,
        events: 0,
        recorded: 0,
        open: Vec::new(),
        last: Span {
            file,
            line: 1,
            col: 1,
        },
    };
    walker.stream()
}

impl<'t> Walker<'t> {
    fn span(&self, range: &Range) -> Span {
        to_span(self.file, range.start.line(), range.start.col() + 1)
    }

    fn scan_error(&self, err: &ScanError) -> ParseError {
        let mark = err.marker();
        let message = match err.kind() {
            granit_parser::ErrorKind::UnknownAnchor => "alias references unknown anchor".to_owned(),
            _ => err.info(),
        };
        ParseError {
            span: to_span(self.file, mark.line(), mark.col() + 1),
            message: super::describe_syntax(&super::first_line(&message)),
            budget: false,
            path: crate::diagnostic::FieldPath::root(),
        }
    }

    fn breach(span: Span, breach: &Breach) -> ParseError {
        ParseError {
            span,
            message: breach.message(),
            budget: true,
            path: crate::diagnostic::FieldPath::root(),
        }
    }

    fn refuse(span: Span, message: &str) -> ParseError {
        ParseError {
            span,
            message: super::describe_syntax(message),
            budget: false,
            path: crate::diagnostic::FieldPath::root(),
        }
    }

    /// The next event, charged to the event budget.
    fn next(&mut self) -> Step<(Event<'t>, Range)> {
        match self.parser.next_event() {
            Some(Ok((event, range))) => {
                let span = self.span(&range);
                self.last = span;
                self.charge_event(span)?;
                Ok((event, range))
            }
            Some(Err(err)) if err.info().contains("recursion limit") => {
                let mark = err.marker();
                let span = to_span(self.file, mark.line(), mark.col() + 1);
                Err(Self::breach(span, &Breach::Depth))
            }
            Some(Err(err)) => Err(self.scan_error(&err)),
            None => Err(Self::refuse(self.last, "unexpected end of input")),
        }
    }

    fn charge_event(&mut self, span: Span) -> Step<()> {
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(Self::breach(span, &Breach::Nodes));
        }
        Ok(())
    }

    fn charge_node(&mut self, span: Span, depth: usize, container: bool) -> Step<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Self::breach(span, &Breach::Nodes));
        }
        if container && depth > MAX_DEPTH {
            return Err(Self::breach(span, &Breach::Depth));
        }
        Ok(())
    }

    fn stream(&mut self) -> Step<Node> {
        let start = self.last;
        let mut documents = 0;
        let mut root = None;
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(Self::breach(self.span(&range), &Breach::Documents));
                    }
                }
                event => root = Some(self.node(event, &range, 0)?),
            }
        }
        self.check_ratio()?;
        // A null document (empty, `~`, `&a`) is placed at the start of the file.
        Ok(root.filter(|n| n.value != Value::Null).unwrap_or(Node {
            value: Value::Null,
            span: start,
        }))
    }

    /// serde-saphyr's alias-to-anchor ratio, checked once the stream is read.
    fn check_ratio(&self) -> Step<()> {
        if self.aliases >= 100
            && (self.defined_anchors == 0 || self.aliases > 10 * self.defined_anchors)
        {
            return Err(Self::breach(self.last, &Breach::Nodes));
        }
        Ok(())
    }

    /// The node that starts with `event`, at nesting `depth` (its parent's).
    fn node(&mut self, event: Event<'t>, range: &Range, depth: usize) -> Step<Node> {
        let span = self.span(range);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.charge_node(span, depth, false)?;
                let anchor = self.open_anchor(anchor, span)?;
                let node = self.scalar(value, style, tag.as_deref(), span, range)?;
                self.close_anchor(anchor, &node);
                Ok(node)
            }
            Event::SequenceStart(_, anchor, _) => {
                self.charge_node(span, depth + 1, true)?;
                let anchor = self.open_anchor(anchor, span)?;
                let mut items = Vec::new();
                loop {
                    let (event, range) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let index = items.len();
                    items.push(
                        self.node(event, &range, depth + 1)
                            .map_err(|e| e.inside(Seg::Index(index)))?,
                    );
                }
                let node = Node {
                    value: Value::Seq(items),
                    span,
                };
                self.close_anchor(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(_, anchor, _) => {
                self.charge_node(span, depth + 1, true)?;
                let anchor = self.open_anchor(anchor, span)?;
                let node = Node {
                    value: Value::Map(self.map(span, depth + 1)?),
                    span,
                };
                self.close_anchor(anchor, &node);
                Ok(node)
            }
            Event::Alias(id) => self.alias(id, span, depth),
            _ => Err(Self::refuse(span, "unexpected event")),
        }
    }

    fn scalar(
        &self,
        value: Cow<'t, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
        range: &Range,
    ) -> Step<Node> {
        // The source text of a plain scalar, for fields that want the characters as written.
        let source = (style == ScalarStyle::Plain)
            .then(|| range.slice(self.text))
            .flatten()
            .map(str::trim)
            .filter(|t| is_plain_token(t));
        let scalar =
            scalar::resolve(value, style, scalar::kind(tag)).map_err(|m| Self::refuse(span, &m))?;
        Ok(Node {
            value: with_text(scalar, source),
            span,
        })
    }

    /// A map's entries, up to its end; `span` is the map's own position.
    fn map(&mut self, span: Span, depth: usize) -> Step<IndexMap<String, Entry>> {
        let mut map = IndexMap::new();
        let mut merges: Vec<IndexMap<String, Entry>> = Vec::new();
        loop {
            let (event, range) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key_span = self.span(&range);
            let merge = matches!(&event, Event::Scalar(v, ScalarStyle::Plain, _, None) if v == "<<")
                || matches!(&event, Event::Scalar(v, _, _, Some(t)) if v == "<<" && t.suffix_in_namespace("tag:yaml.org,2002:").is_some_and(|s| s == "merge"));
            let key = self.key(event, &range, depth)?;
            let (event, range) = self.next()?;
            let node = self
                .node(event, &range, depth)
                .map_err(|e| e.inside(Seg::Key(key.clone())))?;
            if merge {
                merges.extend(Self::merge_sources(node).map_err(|m| Self::refuse(key_span, &m))?);
                // A merged entry is placed where its map is written (or named by an alias).
                continue;
            }
            if map.contains_key(&key) {
                return Err(Self::refuse(
                    key_span,
                    &format!(
                        "duplicate mapping key: {key}, set DuplicateKeyPolicy in Options if acceptable"
                    ),
                )
                .inside(Seg::Key(key)));
            }
            map.insert(key, Entry { key_span, node });
        }
        let _ = span;
        for source in merges {
            for (key, entry) in source {
                map.entry(key).or_insert(entry);
            }
        }
        Ok(map)
    }

    /// The maps a merge key's value brings in: a map, or a list of maps.
    fn merge_sources(node: Node) -> Result<Vec<IndexMap<String, Entry>>, String> {
        match &node.value {
            Value::Map(_) => Ok(vec![placed(node)]),
            Value::Seq(_) => {
                let Value::Seq(items) = node.value else {
                    unreachable!()
                };
                items
                    .into_iter()
                    .map(|item| match &item.value {
                        Value::Map(_) => Ok(placed(item)),
                        _ => {
                            Err("merge key value must be a mapping or a list of mappings"
                                .to_owned())
                        }
                    })
                    .collect()
            }
            Value::Null => Ok(Vec::new()),
            _ => Err("merge key value must be a mapping or a list of mappings".to_owned()),
        }
    }

    /// A map key: a scalar's text (a key is read as a string, whatever it looks like).
    fn key(&mut self, event: Event<'t>, range: &Range, depth: usize) -> Step<String> {
        let span = self.span(range);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.charge_node(span, depth, false)?;
                let anchor = self.open_anchor(anchor, span)?;
                let kind = scalar::kind(tag.as_deref());
                if kind == Kind::Null || (kind != Kind::Str && scalar::is_nullish(&value, style)) {
                    return Err(Self::refuse(
                        span,
                        "cannot deserialize null into string; use Option<String>",
                    ));
                }
                if !matches!(kind, Kind::Any | Kind::Str) {
                    return Err(Self::refuse(span, "invalid type: a tagged key"));
                }
                let node = Node {
                    value: Value::Str(value.clone().into_owned()),
                    span,
                };
                self.close_anchor(anchor, &node);
                Ok(value.into_owned())
            }
            event => {
                let node = self.node(event, range, depth)?;
                match node.value {
                    Value::Str(s) => Ok(s),
                    Value::Bool(_, raw) | Value::Int(_, raw) | Value::Float(_, raw) => Ok(raw),
                    Value::Null => Err(Self::refuse(
                        span,
                        "cannot deserialize null into string; use Option<String>",
                    )),
                    other => Err(Self::refuse(
                        span,
                        &format!("invalid type: {}, expected a string", other.kind()),
                    )),
                }
            }
        }
    }

    fn open_anchor(&mut self, id: usize, span: Span) -> Step<Option<usize>> {
        if id == 0 {
            return Ok(None);
        }
        self.defined_anchors += 1;
        if self.defined_anchors > MAX_ANCHORS {
            return Err(Self::breach(span, &Breach::Anchors));
        }
        // This node was charged already: count it in.
        self.open.push((self.nodes - 1, self.events - 1));
        Ok(Some(id))
    }

    fn close_anchor(&mut self, id: Option<usize>, node: &Node) {
        let Some(id) = id else { return };
        let (nodes, events) = self.open.pop().unwrap_or((self.nodes, self.events));
        let nodes = self.nodes - nodes;
        self.recorded += nodes * (self.open.len() + 1);
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, || None);
        }
        self.anchors[id] = Some(Anchored {
            node: node.clone(),
            nodes,
            events: self.events - events,
        });
    }

    /// An alias: its anchor's node, every position moved to the alias.
    fn alias(&mut self, id: usize, span: Span, depth: usize) -> Step<Node> {
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(Self::breach(span, &Breach::Nodes));
        }
        let Some(anchored) = self.anchors.get(id).and_then(Option::as_ref) else {
            return Err(Self::refuse(span, "alias references unknown anchor"));
        };
        let (nodes, events) = (anchored.nodes, anchored.events);
        let node_depth = depth + height(&anchored.node);
        let mut node = anchored.node.clone();
        self.nodes += nodes;
        self.events += events;
        if !self.open.is_empty() {
            self.recorded += nodes * self.open.len();
        }
        if self.nodes > MAX_NODES || self.events > MAX_EVENTS || self.recorded > MAX_RECORDED {
            return Err(Self::breach(span, &Breach::Nodes));
        }
        if node_depth > MAX_DEPTH {
            return Err(Self::breach(span, &Breach::Depth));
        }
        place(&mut node, span);
        Ok(node)
    }
}

/// A merge source's entries, each placed at the source map.
fn placed(mut node: Node) -> IndexMap<String, Entry> {
    let span = node.span;
    place(&mut node, span);
    match node.value {
        Value::Map(map) => map,
        _ => IndexMap::new(),
    }
}

/// How many containers deep `node` nests (a scalar: 0).
fn height(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(height).max().unwrap_or(0),
        Value::Map(map) => 1 + map.values().map(|e| height(&e.node)).max().unwrap_or(0),
        _ => 0,
    }
}

/// Put a copied node, its keys and everything inside at `span`, and write its scalars
/// in their canonical form (an alias's value, not the text `*a`).
fn place(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Bool(b, raw) => *raw = b.to_string(),
        Value::Int(i, raw) => *raw = i.to_string(),
        Value::Float(x, raw) => {
            *raw = scalar::big(raw).map_or_else(|| x.to_string(), |u| u.to_string());
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| place(n, span)),
        Value::Map(map) => map.values_mut().for_each(|e| {
            e.key_span = span;
            place(&mut e.node, span);
        }),
        Value::Null | Value::Str(_) => {}
    }
}

fn with_text(scalar: Scalar, source: Option<&str>) -> Value {
    let text = |canonical: String| source.map_or(canonical, str::to_owned);
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b, text(b.to_string())),
        Scalar::Int(i) => Value::Int(i, text(i.to_string())),
        Scalar::Big(u) => Value::Float(u as f64, text(u.to_string())),
        Scalar::Float(x) => Value::Float(x, text(x.to_string())),
        Scalar::Str(s) => Value::Str(s),
    }
}

fn to_span(file: FileId, line: usize, col: usize) -> Span {
    Span {
        file,
        line: u32::try_from(line.max(1)).unwrap_or(u32::MAX),
        col: u32::try_from(col.max(1)).unwrap_or(u32::MAX),
    }
}
