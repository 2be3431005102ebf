// Declares the app's commands so tauri-build generates one `allow-<command>` permission for
// each; capabilities/main.json grants exactly these to the main window and nothing else.
// Keep this list in step with `generate_handler!` in src/lib.rs.
const COMMANDS: &[&str] = &[
    "library_info",
    "profile_set",
    "case_list",
    "case_get",
    "case_create",
    "case_update",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
