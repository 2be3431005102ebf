// Declares the app's commands (commands.json, the one list of them) so tauri-build generates
// one `allow-<command>` permission for each. capabilities/main.json grants exactly these to the
// main window; tests/commands.rs checks that the three lists (this, the capability and the
// handler) agree.
fn main() {
    println!("cargo:rerun-if-changed=commands.json");
    let list = std::fs::read_to_string("commands.json").expect("read commands.json");
    let names: Vec<String> =
        serde_json::from_str(&list).expect("commands.json is a JSON list of command names");
    let names: &'static [String] = Box::leak(names.into_boxed_slice());
    let refs: Vec<&'static str> = names.iter().map(String::as_str).collect();
    let refs: &'static [&'static str] = Box::leak(refs.into_boxed_slice());
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(refs)),
    )
    .expect("tauri-build failed");
}
