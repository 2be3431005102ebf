//! Locks the library when the system is about to sleep.
//!
//! On Linux, systemd-logind announces a suspend or hibernation with the `PrepareForSleep(true)`
//! signal on the system D-Bus. Casefile takes a "delay" inhibitor lock at start, so logind waits
//! (at most its `InhibitDelayMaxSec`, 5 s by default) until the library is locked and the
//! inhibitor released; after waking (`PrepareForSleep(false)`) it takes a new one. Without a
//! system bus or logind (a container, another init system) nothing happens, and the log says
//! so once. Other platforms: not yet (the idle lock and Ctrl+L remain).
//!
//! The D-Bus connection is a local socket, not a network connection. A forged signal from
//! another local process can at worst lock the library.
//!
//! For tests only: `CASEFILE_SLEEP_BUS=session` listens on the session bus instead, where a
//! test can emit the signal itself (`gdbus emit`).

use tauri::{AppHandle, Runtime};

#[cfg(target_os = "linux")]
pub fn lock_on_suspend<R: Runtime>(app: &AppHandle<R>) {
    use gio::prelude::*;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::sync::{Arc, Mutex};

    let session = std::env::var("CASEFILE_SLEEP_BUS").is_ok_and(|v| v == "session");
    let bus = if session {
        gio::BusType::Session
    } else {
        gio::BusType::System
    };
    let conn = match gio::bus_get_sync(bus, gio::Cancellable::NONE) {
        Ok(c) => c,
        Err(e) => {
            tracing::info!(error = %e, "suspend: no D-Bus; the library is not locked when the system sleeps");
            return;
        }
    };
    // The inhibitor is an open file descriptor: logind waits for us while we hold it.
    let inhibitor: Arc<Mutex<Option<OwnedFd>>> = Arc::default();
    let take = |conn: &gio::DBusConnection, slot: &Mutex<Option<OwnedFd>>| {
        let args = ("sleep", "Casefile", "Lock the case library first", "delay").to_variant();
        match conn.call_with_unix_fd_list_sync(
            Some("org.freedesktop.login1"),
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "Inhibit",
            Some(&args),
            Some(gio::glib::VariantTy::new("(h)").expect("a valid D-Bus type")),
            gio::DBusCallFlags::NONE,
            2000,
            None::<&gio::UnixFDList>,
            gio::Cancellable::NONE,
        ) {
            Ok((_, fds)) => {
                // SAFETY: steal_fds hands over ownership of the descriptors logind sent.
                let fd = fds
                    .steal_fds()
                    .into_iter()
                    .next()
                    .map(|raw| unsafe { OwnedFd::from_raw_fd(raw) });
                if let Ok(mut s) = slot.lock() {
                    *s = fd;
                }
            }
            Err(e) => {
                tracing::info!(error = %e, "suspend: no sleep inhibitor (the lock may come just after sleep starts)")
            }
        }
    };
    take(&conn, &inhibitor);
    let app = app.clone();
    // Called on the main thread (the GLib main context this runs on, at setup).
    conn.signal_subscribe(
        None,
        Some("org.freedesktop.login1.Manager"),
        Some("PrepareForSleep"),
        Some("/org/freedesktop/login1"),
        None,
        gio::DBusSignalFlags::NONE,
        move |conn, _sender, _path, _iface, _signal, params| {
            let Some((sleeping,)) = params.get::<(bool,)>() else {
                return;
            };
            if sleeping {
                tracing::info!("suspend: the system is going to sleep; locking");
                let fd = inhibitor.lock().ok().and_then(|mut s| s.take());
                let app = app.clone();
                // Off the main thread: locking may wait a moment for jobs to stop.
                std::thread::spawn(move || {
                    crate::session::lock_and_tell(&app, "suspend");
                    drop(fd); // releases logind's wait
                });
            } else {
                take(conn, &inhibitor);
            }
        },
    );
    tracing::info!(
        session,
        "suspend: the library will be locked when the system sleeps"
    );
    // The subscription lives as long as the connection; it is kept for the app's lifetime.
    std::mem::forget(conn);
}

#[cfg(not(target_os = "linux"))]
pub fn lock_on_suspend<R: Runtime>(_app: &AppHandle<R>) {}
