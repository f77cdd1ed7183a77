//! Build script.
//!
//! Always: writes the C header for the crate's C ABI (cbindgen) to `$OUT_DIR/irqio.h`;
//! `tests/c_header.rs` checks that the copy in `include/irqio.h` is up to date.
//!
//! With the `micropython` feature (only inside a firmware build): generates Rust
//! bindings to the MicroPython API from the port's own headers, so `mp_obj_t`,
//! `mp_obj_base_t` and the configuration match the firmware being built, and compiles
//! bindgen's wrappers for the `static inline` functions among them. The firmware build
//! glue (micropython.mk, micropython.cmake) passes:
//!
//! - `MICROPY_DIR`: the MicroPython tree;
//! - `IRQIO_PORT_DIR`: the directory the port's compiler runs in (relative `-I` paths
//!   in the flags are resolved against it);
//! - `IRQIO_CFLAGS_FILE`: a file holding the port's C flags as the shell would see
//!   them (only `-I`, `-D`, `-U`, `-include`, `-isystem`, `-std`, `-m` and
//!   `--sysroot` are used);
//! - `IRQIO_CC` (optional): the port's C compiler, for the static-inline wrappers.
use std::env;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    write_c_header(&out);
    if env::var_os("CARGO_FEATURE_MICROPYTHON").is_some() {
        bind_micropython(&out);
    }
}

fn write_c_header(out: &Path) {
    let crate_dir = env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(Path::new(&crate_dir).join("cbindgen.toml"))
        .expect("cbindgen.toml");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the C header")
        .write_to_file(out.join("irqio.h"));
}

fn required(name: &str) -> String {
    println!("cargo:rerun-if-env-changed={name}");
    env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: the `micropython` feature is built by the firmware build glue (micropython.mk / micropython.cmake), which sets it")
    })
}

/// Splits a command line the way a POSIX shell would (quotes and backslashes), which
/// is how make hands the flags to the compiler.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                in_word = true;
            }
            '\'' => {
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    word.push(n);
                }
                in_word = true;
            }
            '"' => {
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some(m) = chars.next() {
                                if !matches!(m, '"' | '\\' | '$' | '`') {
                                    word.push('\\');
                                }
                                word.push(m);
                            }
                        }
                        _ => word.push(n),
                    }
                }
                in_word = true;
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The subset of the port's C flags that decides what the headers declare.
fn header_flags(cflags: &str, port_dir: &Path) -> Vec<String> {
    let owned = shell_words(cflags);
    let words: Vec<&str> = owned.iter().map(String::as_str).collect();
    let mut flags = Vec::new();
    let absolute = |p: &str| -> String {
        if Path::new(p).is_absolute() {
            p.to_string()
        } else {
            port_dir.join(p).to_string_lossy().into_owned()
        }
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let next = words.get(i + 1).copied();
        if let Some(rest) = w.strip_prefix("-I") {
            match (rest.is_empty(), next) {
                (true, Some(n)) => {
                    flags.push(format!("-I{}", absolute(n)));
                    i += 1;
                }
                (false, _) => flags.push(format!("-I{}", absolute(rest))),
                _ => {}
            }
        } else if matches!(w, "-D" | "-U") && next.is_some() {
            flags.push(format!("{w}{}", next.unwrap_or_default()));
            i += 1;
        } else if (w == "-include" || w == "-isystem") && next.is_some() {
            let n = next.unwrap_or_default();
            flags.push(w.to_string());
            flags.push(absolute(n));
            i += 1;
        } else if w.starts_with("-D")
            || w.starts_with("-U")
            || w.starts_with("-std=")
            || w.starts_with("--sysroot")
            || (w.starts_with("-m") && !w.starts_with("-mno-unaligned"))
        {
            flags.push(w.to_string());
        }
        i += 1;
    }
    flags
}

/// The C library's include folders of a cross compiler (what `cc -v` searches, given
/// the port's CPU flags and specs file), less the compiler's private ones: clang
/// brings its own `stddef.h`, `stdint.h`...
fn cross_system_includes(cc: &str, cflags: &[String]) -> Vec<String> {
    let cpu_flags = cflags
        .iter()
        .filter(|f| f.starts_with("-m") || f.starts_with("--specs="));
    let Ok(out) = std::process::Command::new(cc)
        .args(cpu_flags)
        .args(["-xc", "-E", "-v", "/dev/null"])
        .output()
    else {
        return Vec::new();
    };
    let private = std::process::Command::new(cc)
        .arg("-print-file-name=include")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|p| Path::new(p.trim()).parent()?.canonicalize().ok());
    let log = String::from_utf8_lossy(&out.stderr);
    let Some(list) = log
        .split("#include <...> search starts here:")
        .nth(1)
        .and_then(|rest| rest.split("End of search list.").next())
    else {
        return Vec::new();
    };
    list.lines()
        .filter_map(|line| Path::new(line.trim()).canonicalize().ok())
        .filter(|dir| !private.as_ref().is_some_and(|p| dir.starts_with(p)))
        .map(|dir| dir.to_string_lossy().into_owned())
        .collect()
}

fn bind_micropython(out: &Path) {
    let micropy_dir = PathBuf::from(required("MICROPY_DIR"));
    let port_dir = PathBuf::from(required("IRQIO_PORT_DIR"));
    let cflags_file = required("IRQIO_CFLAGS_FILE");
    println!("cargo:rerun-if-changed={cflags_file}");
    let cflags = std::fs::read_to_string(&cflags_file).expect("IRQIO_CFLAGS_FILE is not readable");
    println!("cargo:rerun-if-env-changed=IRQIO_CC");
    println!("cargo:rerun-if-changed=src/binding/mp_api.h");

    let mut flags = header_flags(&cflags, &port_dir);
    flags.push(format!("-I{}", micropy_dir.display()));
    let target = env::var("TARGET").expect("TARGET");
    let host = env::var("HOST").expect("HOST");

    // clang 14 knows RISC-V's base ISA strings but not GCC 12's `_zicsr`-style
    // extension suffixes or `-misa-spec`; the headers depend on the ABI and word
    // size only.
    let mut clang_args: Vec<String> = flags
        .iter()
        .filter(|f| !f.starts_with("-misa-spec="))
        .map(|f| match f.strip_prefix("-march=") {
            Some(arch) if arch.starts_with("rv") => {
                format!("-march={}", arch.split('_').next().unwrap_or(arch))
            }
            _ => f.clone(),
        })
        .collect();
    if target != host {
        // clang knows these triples; `-m` flags above pick the CPU variant.
        let triple = match target.as_str() {
            "riscv32imc-unknown-none-elf" | "riscv32imac-unknown-none-elf" => {
                "riscv32-unknown-none-elf".into()
            }
            t => t.to_string(),
        };
        clang_args.push(format!("--target={triple}"));
        // clang does not know the cross toolchain's C library: ask its compiler.
        if let Ok(cc) = env::var("IRQIO_CC") {
            for dir in cross_system_includes(&cc, &shell_words(&cflags)) {
                clang_args.push("-isystem".into());
                clang_args.push(dir);
            }
        }
    }

    let wrappers = out.join("mp_static_wrappers");
    let bindings = bindgen::Builder::default()
        .header("src/binding/mp_api.h")
        .clang_args(&clang_args)
        .use_core()
        .ctypes_prefix("::core::ffi")
        .layout_tests(false)
        .generate_comments(false)
        .allowlist_type("mp_obj_base_t")
        .allowlist_type("mp_obj_t")
        .allowlist_type("mp_uint_t")
        .allowlist_type("mp_int_t")
        .allowlist_function("gc_alloc")
        .allowlist_function("irqio_mp_ticks_us")
        .allowlist_function("mp_get_buffer")
        .allowlist_type("mp_buffer_info_t")
        .allowlist_var("MP_BUFFER_(READ|WRITE|RW)")
        .allowlist_var("MP_STREAM_.*")
        .allowlist_var("MP_E(INVAL|AGAIN|BADF|NOMEM|PIPE)")
        .allowlist_var("GC_ALLOC_FLAG_HAS_FINALISER")
        .allowlist_var("IRQIO_MP_.*")
        .opaque_type("mp_obj_type_t")
        .wrap_static_fns(true)
        .wrap_static_fns_path(&wrappers)
        .generate()
        .expect("bindgen could not read the MicroPython headers");
    bindings
        .write_to_file(out.join("mp_api.rs"))
        .expect("write mp_api.rs");

    // bindgen writes wrappers only for the static inline functions it found (on unix
    // `mp_hal_ticks_us` is an ordinary function; on rp2 it is static inline).
    let wrappers_c = wrappers.with_extension("c");
    if wrappers_c.exists() {
        let mut build = cc::Build::new();
        if let Ok(cc) = env::var("IRQIO_CC") {
            build.compiler(cc);
        }
        build
            .file(&wrappers_c)
            .include(env::var("CARGO_MANIFEST_DIR").unwrap())
            .warnings(false);
        for f in &flags {
            build.flag(f);
        }
        // The port's specs file says where its C library's headers are (picolibc).
        for f in shell_words(&cflags)
            .iter()
            .filter(|f| f.starts_with("--specs="))
        {
            build.flag(f);
        }
        build.compile("irqio_mp_static_wrappers");
    }
}
