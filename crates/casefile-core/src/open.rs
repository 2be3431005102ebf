//! Opening a library as a whole: its storage (`store::library`), then what needs every layer:
//! removing what interrupted exports left, the one-time upgrade steps, and the head file's
//! check. The top of the layer order, so it may use them all.

use crate::clock::Clock;
use crate::error::Result;
use crate::store::library::Library;
use std::path::Path;
use std::sync::Arc;

impl Library {
    /// Opens the library in `dir`, creating it if it does not exist. Refuses a directory another
    /// process has open, one it cannot write, and a database from a newer Casefile.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<Library> {
        let mut lib = Library::open_store(dir, clock)?;
        crate::bundle::clean_abandoned_exports(dir);
        crate::upgrade::run(&mut lib)?;
        lib.open_head()?;
        Ok(lib)
    }
}
