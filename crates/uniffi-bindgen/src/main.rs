//! `uniffi-bindgen generate --library target/debug/libswitchboard_ffi.so --language swift|python
//! --out-dir DIR`: the bindings generator at exactly the uniffi version the library was built with.
fn main() {
    uniffi::uniffi_bindgen_main()
}
