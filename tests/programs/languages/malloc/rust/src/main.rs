// Stage 1 of the malloc challenge in Rust: a heap that only grows.
use std::ffi::c_void;
use std::ptr;

extern "C" {
    fn sbrk(increment: isize) -> *mut c_void;
}

const ALIGNMENT: usize = 16;
const HEADER: usize = 16;

fn round_up(n: usize) -> usize {
    (n + ALIGNMENT - 1) & !(ALIGNMENT - 1)
}

#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    let usable = round_up(size);
    let brk = sbrk(0) as usize;
    let pad = round_up(brk) - brk;
    let got = sbrk((pad + HEADER + usable) as isize);
    if got as isize == -1 {
        return ptr::null_mut();
    }
    let header = (got as *mut u8).add(pad) as *mut usize;
    *header = usable;
    (header as *mut u8).add(HEADER) as *mut c_void
}

#[no_mangle]
pub unsafe extern "C" fn free(_ptr: *mut c_void) {}

#[no_mangle]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    malloc(count.wrapping_mul(size))
}

#[no_mangle]
pub unsafe extern "C" fn realloc(old: *mut c_void, size: usize) -> *mut c_void {
    let fresh = malloc(size);
    if !old.is_null() && !fresh.is_null() {
        let old_size = *((old as *mut u8).sub(HEADER) as *mut usize);
        ptr::copy_nonoverlapping(old as *const u8, fresh as *mut u8, old_size.min(size));
    }
    fresh
}
