//! Mapping record structs to table rows, one column per top-level field.
//!
//! A record type is a serde struct whose field names are its table's column names. Scalars
//! are stored as SQL values; lists and nested objects as JSON text in the columns the table
//! declares in its `json` list. This keeps each record module to its rules and queries instead
//! of column-by-column plumbing.
//!
//! The audit digest of a record ([`row_digest`]) covers the **whole stored row**, every column
//! as SQLite holds it, so a change to any column made behind Casefile's back is detected.

use crate::error::{Error, Result};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// A table of records: its name, its record-type name in the custody log, the column that
/// labels a record for people, and the columns that hold JSON.
pub struct Table {
    pub name: &'static str,
    pub record_type: &'static str,
    pub label: &'static str,
    pub json: &'static [&'static str],
    /// Columns that hold booleans (stored as 0/1).
    pub bools: &'static [&'static str],
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

fn fields<T: Serialize>(record: &T) -> Result<Map<String, Value>> {
    let m = match serde_json::to_value(record).map_err(|e| Error::Corrupt(e.to_string()))? {
        Value::Object(m) => m,
        _ => {
            return Err(Error::Corrupt(
                "a record must serialise to an object".into(),
            ))
        }
    };
    // Field names become column names in SQL text: only plain identifiers may pass, whatever
    // the record came from (a bundle is untrusted input).
    if let Some(k) = m.keys().find(|k| {
        k.is_empty()
            || !k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }) {
        return Err(Error::BundleRefused(format!(
            "\"{k}\" is not a column name"
        )));
    }
    Ok(m)
}

/// The column names of a table.
pub fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// Inserts `record` as a new row.
pub fn insert<T: Serialize>(conn: &Connection, t: &Table, record: &T) -> Result<()> {
    let m = fields(record)?;
    let cols: Vec<&str> = m.keys().map(String::as_str).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        cols.join(", "),
        marks.join(", ")
    );
    conn.execute(&sql, params_from_iter(m.values().map(to_sql)))?;
    Ok(())
}

/// Overwrites every column of the row with `record`'s fields (its `id` selects the row).
pub fn update<T: Serialize>(conn: &Connection, t: &Table, id: &str, record: &T) -> Result<()> {
    let m = fields(record)?;
    let sets: Vec<String> = m
        .keys()
        .enumerate()
        .map(|(i, k)| format!("{k} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ?{}",
        t.name,
        sets.join(", "),
        m.len() + 1
    );
    let mut values: Vec<SqlValue> = m.values().map(to_sql).collect();
    values.push(SqlValue::Text(id.to_string()));
    let n = conn.execute(&sql, params_from_iter(values))?;
    if n == 0 {
        return Err(Error::NotFound {
            kind: t.record_type,
            id: id.to_string(),
        });
    }
    Ok(())
}

fn value_of(v: ValueRef<'_>, json: bool) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(s) => {
            let s = std::str::from_utf8(s).map_err(|e| Error::Corrupt(e.to_string()))?;
            if json {
                serde_json::from_str(s)
                    .map_err(|e| Error::Corrupt(format!("bad JSON in a stored record: {e}")))?
            } else {
                Value::String(s.to_string())
            }
        }
        ValueRef::Blob(b) => Value::String(hex::encode(b)),
    })
}

/// The row as a JSON object, column by column (JSON columns parsed).
pub fn row_map(t: &Table, row: &Row<'_>) -> Result<Map<String, Value>> {
    let stmt = row.as_ref();
    let mut m = Map::new();
    for i in 0..stmt.column_count() {
        let name = stmt.column_name(i)?;
        let mut v = value_of(row.get_ref(i)?, t.json.contains(&name))?;
        if t.bools.contains(&name) && !v.is_null() {
            v = Value::Bool(v.as_i64().unwrap_or(0) != 0);
        }
        m.insert(name.to_string(), v);
    }
    Ok(m)
}

/// Converts a row into the record type `T`.
pub fn from_row<T: DeserializeOwned>(t: &Table, row: &Row<'_>) -> Result<T> {
    let m = row_map(t, row)?;
    serde_json::from_value(Value::Object(m)).map_err(|e| {
        Error::Corrupt(format!(
            "a stored {} does not read back: {e}",
            t.record_type
        ))
    })
}

pub fn load<T: DeserializeOwned>(conn: &Connection, t: &Table, id: &str) -> Result<Option<T>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {} WHERE id = ?1", t.name))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(from_row(t, r)?)),
        None => Ok(None),
    }
}

pub fn must_load<T: DeserializeOwned>(conn: &Connection, t: &Table, id: &str) -> Result<T> {
    load(conn, t, id)?.ok_or_else(|| Error::NotFound {
        kind: t.record_type,
        id: id.to_string(),
    })
}

/// Records matching `where_sql` (after `WHERE`), in `order_sql` order.
pub fn list<T: DeserializeOwned>(
    conn: &Connection,
    t: &Table,
    where_sql: &str,
    params: &[&dyn rusqlite::ToSql],
    order_sql: &str,
) -> Result<Vec<T>> {
    let sql = format!(
        "SELECT * FROM {} WHERE {} ORDER BY {}",
        t.name, where_sql, order_sql
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(t, r)?);
    }
    Ok(out)
}

/// The digest of the stored row and its label, or `None` if there is no such row.
pub fn row_digest(conn: &Connection, t: &Table, id: &str) -> Result<Option<(String, String)>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {} WHERE id = ?1", t.name))?;
    let m: Option<Map<String, Value>> = stmt
        .query_row([id], |r| Ok(row_map(t, r)))
        .optional()?
        .transpose()?;
    Ok(m.map(|m| {
        let label = m
            .get(t.label)
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        (label, digest_of_row(&m))
    }))
}

/// The digest of a stored row: its columns as canonical JSON, leaving out NULL columns so that a
/// column added by a later migration (always nullable) leaves existing records' digests as they
/// were. The same function digests rows in exported bundles.
pub fn digest_of_row(m: &Map<String, Value>) -> String {
    hex::encode(digest_bytes_of_row(m))
}

/// [`digest_of_row`] as bytes.
pub fn digest_bytes_of_row(m: &Map<String, Value>) -> [u8; 32] {
    use sha2::Digest;
    let present: Map<String, Value> = m
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    sha2::Sha256::digest(crate::store::custody::canonical_json(&present)).into()
}
