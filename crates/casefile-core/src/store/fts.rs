//! What every connection gets before it touches the schema (`db::open_connection`): the search
//! tokenizer `casefile`, the SQL function `casefold(text)` and the collation `casefile`, all
//! from `store::text`.
//!
//! The tokenizer (FTS5's C interface, as the built-in `porter` wraps `unicode61`): a document
//! gives each word folded and, when it differs, its stem at the same position (a colocated
//! token, as FTS5's documentation does synonyms); a query word gives only its stem, so
//! "школа" finds "школи" and "школе"; a prefix query (`школ*`) gives the folded word, which
//! prefixes the words themselves. Byte offsets are those of the original words, so
//! `highlight()` and `snippet()` mark what was written.
//!
//! Any connection that writes a searched record needs the tokenizer (the index is kept in step
//! by triggers): without it SQLite refuses with "no such tokenizer".

use crate::error::{Error, Result};
use crate::store::text;
use rusqlite::ffi;
use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use std::ffi::{c_char, c_int, c_void};
use std::ptr;

/// Registers the tokenizer, `casefold()` and the collation on `conn`. Idempotent.
pub fn register(conn: &Connection) -> Result<()> {
    conn.create_scalar_function(
        "casefold",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            use rusqlite::types::ValueRef;
            Ok(match ctx.get_raw(0) {
                ValueRef::Null => None,
                ValueRef::Integer(i) => Some(i.to_string()),
                ValueRef::Real(f) => Some(f.to_string()),
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Some(text::casefold(&String::from_utf8_lossy(t)))
                }
            })
        },
    )?;
    conn.create_collation("casefile", text::compare)?;
    // SAFETY: the handle is live for this call; `register_tokenizer` only hands SQLite static
    // callbacks and reads the `fts5_api` pointer SQLite gives back.
    unsafe { register_tokenizer(conn.handle()) }
}

unsafe fn register_tokenizer(db: *mut ffi::sqlite3) -> Result<()> {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
    let rc = ffi::sqlite3_prepare_v2(
        db,
        c"SELECT fts5(?1)".as_ptr(),
        -1,
        &mut stmt,
        ptr::null_mut(),
    );
    if rc != ffi::SQLITE_OK {
        return Err(Error::Corrupt("this SQLite has no FTS5".into()));
    }
    ffi::sqlite3_bind_pointer(
        stmt,
        1,
        (&mut api as *mut *mut ffi::fts5_api).cast(),
        c"fts5_api_ptr".as_ptr(),
        None,
    );
    ffi::sqlite3_step(stmt);
    ffi::sqlite3_finalize(stmt);
    if api.is_null() || (*api).iVersion < 2 {
        return Err(Error::Corrupt("this SQLite's FTS5 is too old".into()));
    }
    let Some(create) = (*api).xCreateTokenizer else {
        return Err(Error::Corrupt("this SQLite's FTS5 is too old".into()));
    };
    let mut tok = ffi::fts5_tokenizer {
        xCreate: Some(x_create),
        xDelete: Some(x_delete),
        xTokenize: Some(x_tokenize),
    };
    let rc = create(api, c"casefile".as_ptr(), ptr::null_mut(), &mut tok, None);
    if rc != ffi::SQLITE_OK {
        return Err(Error::Corrupt(format!(
            "registering the search tokenizer failed ({rc})"
        )));
    }
    Ok(())
}

/// The tokenizer has no state; FTS5 wants a non-null instance all the same.
struct Instance;

unsafe extern "C" fn x_create(
    _user: *mut c_void,
    _args: *mut *const c_char,
    _n: c_int,
    out: *mut *mut ffi::Fts5Tokenizer,
) -> c_int {
    *out = Box::into_raw(Box::new(Instance)).cast();
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_delete(p: *mut ffi::Fts5Tokenizer) {
    if !p.is_null() {
        drop(Box::from_raw(p.cast::<Instance>()));
    }
}

type XToken = unsafe extern "C" fn(*mut c_void, c_int, *const c_char, c_int, c_int, c_int) -> c_int;

unsafe extern "C" fn x_tokenize(
    _p: *mut ffi::Fts5Tokenizer,
    ctx: *mut c_void,
    flags: c_int,
    text: *const c_char,
    n: c_int,
    x_token: Option<XToken>,
) -> c_int {
    let Some(emit) = x_token else {
        return ffi::SQLITE_ERROR;
    };
    if text.is_null() || n <= 0 {
        return ffi::SQLITE_OK;
    }
    let bytes = std::slice::from_raw_parts(text.cast::<u8>(), n as usize);
    let query = flags & ffi::FTS5_TOKENIZE_QUERY != 0;
    let prefix = flags & ffi::FTS5_TOKENIZE_PREFIX != 0;
    let run = std::panic::catch_unwind(|| {
        let mut rc = ffi::SQLITE_OK;
        let send = |tflags: c_int, t: &str, a: usize, b: usize| -> c_int {
            emit(
                ctx,
                tflags,
                t.as_ptr().cast(),
                t.len() as c_int,
                a as c_int,
                b as c_int,
            )
        };
        text::words(bytes, |raw, a, b| {
            let folded = text::fold_word(raw);
            if folded.is_empty() {
                return true;
            }
            rc = if query && prefix {
                send(0, &folded, a, b)
            } else {
                let stem = text::stem(&folded);
                if query {
                    send(0, &stem, a, b)
                } else {
                    let r = send(0, &folded, a, b);
                    if r == ffi::SQLITE_OK && *stem != *folded {
                        send(ffi::FTS5_TOKEN_COLOCATED, &stem, a, b)
                    } else {
                        r
                    }
                }
            };
            rc == ffi::SQLITE_OK
        });
        // FTS5 stops a tokenizer with SQLITE_DONE; that is not an error.
        if rc == ffi::SQLITE_DONE {
            ffi::SQLITE_OK
        } else {
            rc
        }
    });
    run.unwrap_or(ffi::SQLITE_ERROR)
}
