// Your allocator: build.sh compiles this file into target/release/libmymalloc.so (see
// Cargo.toml), and your_program.sh runs a program with it preloaded (LD_PRELOAD), so the
// functions you export here replace the C library's for the whole program.
//
// Export malloc, free, calloc and realloc together, with #[no_mangle] and extern "C", so
// that their names are the C library's: a program that gets a block from your malloc and
// hands it to the C library's realloc crashes. Never use Box, Vec, String, println! or
// anything else that allocates from inside them: the Rust standard library allocates with
// malloc, which is yours.

// Your code starts here: `crack task` shows what to do. For example:
//
// use std::ffi::c_void;
//
// extern "C" {
//     fn sbrk(increment: isize) -> *mut c_void;
// }
//
// #[no_mangle]
// pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void { ... }
// #[no_mangle]
// pub unsafe extern "C" fn free(ptr: *mut c_void) { ... }
// #[no_mangle]
// pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void { ... }
// #[no_mangle]
// pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void { ... }
