fn main() {
    napi_build::setup();
    // Node dlcloses an addon when the last worker thread that loaded it exits, while Rust/napi thread-local
    // destructors registered on that thread still point into the library: a segfault at thread exit. RTLD_NODELETE
    // (-z nodelete) keeps the code mapped for the life of the process.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os == "freebsd" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
}
