//! A value with the place in the YAML file it came from.
//!
//! serde-saphyr's `Spanned<T>` records positions; this wrapper keeps that detail inside the
//! YAML boundary and presents the JSON Schema of `T` itself, so the published schema reads as
//! the user writes the file.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use crate::diag::Position;

/// The position of a value from serde-saphyr's location; `None` where it has none.
pub fn position_of(location: serde_saphyr::Location, width: usize) -> Option<Position> {
    let line = location.line();
    (line > 0).then(|| Position::new(line as u32, location.column().max(1) as u32, width as u32))
}

/// A value and its position in the model file (`None` for values atkmap made up itself).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Located<T> {
    pub value: T,
    pub position: Option<Position>,
}

impl<T> Located<T> {
    /// A value with no position (defaults, values built in code).
    pub fn unplaced(value: T) -> Located<T> {
        Located {
            value,
            position: None,
        }
    }

    pub fn at(value: T, position: Position) -> Located<T> {
        Located {
            value,
            position: Some(position),
        }
    }
}

impl Located<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Located<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: fmt::Display> fmt::Display for Located<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: Deserialize<'de> + ScalarWidth> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let width = spanned.value.width();
        Ok(Located {
            position: position_of(spanned.referenced, width),
            value: spanned.value,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// How many characters a value spans in the file, for the caret under it.
pub trait ScalarWidth {
    fn width(&self) -> usize {
        1
    }
}

impl ScalarWidth for String {
    fn width(&self) -> usize {
        self.chars().count().max(1)
    }
}

impl ScalarWidth for u64 {
    fn width(&self) -> usize {
        self.to_string().len()
    }
}

impl ScalarWidth for i64 {
    fn width(&self) -> usize {
        self.to_string().len()
    }
}

impl ScalarWidth for bool {}
