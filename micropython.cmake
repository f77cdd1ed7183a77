# irqio for MicroPython's cmake ports (rp2, esp32).
#
#   make -C ports/rp2 BOARD=RPI_PICO USER_C_MODULES=/path/to/irqio/micropython.cmake
#   make -C ports/esp32 BOARD=ESP32_GENERIC_C3 USER_C_MODULES=/path/to/irqio/micropython.cmake
#
# The C shim is compiled by the port like any user C module; the Rust library is
# built by cargo for the board's CPU, against the firmware's own include paths and
# definitions (bindgen needs them), after the QSTR and root-pointer headers exist.
set(IRQIO_DIR ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(IRQIO_PORT ${MICROPY_PORT_DIR} NAME)

# The Rust target for this board. IRQIO_RUST_TARGET (cmake or environment) wins.
if(NOT IRQIO_RUST_TARGET AND DEFINED ENV{IRQIO_RUST_TARGET})
    set(IRQIO_RUST_TARGET $ENV{IRQIO_RUST_TARGET})
endif()
set(IRQIO_CARGO_TOOLCHAIN "")
set(IRQIO_CARGO_BUILD_STD "")
if(NOT IRQIO_RUST_TARGET)
    if(IRQIO_PORT STREQUAL "rp2")
        if(PICO_PLATFORM STREQUAL "rp2350-riscv")
            set(IRQIO_RUST_TARGET riscv32imac-unknown-none-elf)
        elseif(PICO_PLATFORM MATCHES "^rp2350")
            # pico-sdk builds Cortex-M33 code with -mfloat-abi=softfp: the soft-float
            # calling convention of thumbv8m.main-none-eabi (not the eabihf target).
            set(IRQIO_RUST_TARGET thumbv8m.main-none-eabi)
        else()
            set(IRQIO_RUST_TARGET thumbv6m-none-eabi)
        endif()
    elseif(IRQIO_PORT STREQUAL "esp32")
        if(IDF_TARGET STREQUAL "esp32c3" OR IDF_TARGET STREQUAL "esp32c2")
            set(IRQIO_RUST_TARGET riscv32imc-unknown-none-elf)
        elseif(IDF_TARGET MATCHES "^esp32(c5|c6|c61|h2)$")
            set(IRQIO_RUST_TARGET riscv32imac-unknown-none-elf)
        elseif(IDF_TARGET STREQUAL "esp32p4")
            # Single-precision FPU and the ilp32f calling convention, as IDF builds it.
            set(IRQIO_RUST_TARGET riscv32imafc-unknown-none-elf)
        elseif(IDF_TARGET MATCHES "^esp32(s2|s3)?$")
            # Xtensa: Espressif's Rust toolchain (espup), selected as `cargo +esp`;
            # it ships no prebuilt `core` for these targets, so cargo builds it.
            set(IRQIO_RUST_TARGET xtensa-${IDF_TARGET}-none-elf)
            set(IRQIO_CARGO_TOOLCHAIN +esp)
            set(IRQIO_CARGO_BUILD_STD -Zbuild-std=core)
        else()
            message(FATAL_ERROR "irqio: no Rust target known for IDF_TARGET=${IDF_TARGET}; set IRQIO_RUST_TARGET")
        endif()
    else()
        message(FATAL_ERROR "irqio: no Rust target known for the ${IRQIO_PORT} port; set IRQIO_RUST_TARGET")
    endif()
endif()

# The target whose include paths and definitions MicroPython is compiled with.
if(MICROPY_TARGET)
    set(IRQIO_FIRMWARE_TARGET ${MICROPY_TARGET})
elseif(COMPONENT_TARGET)
    set(IRQIO_FIRMWARE_TARGET ${COMPONENT_TARGET})
else()
    set(IRQIO_FIRMWARE_TARGET __idf_main)
endif()

add_library(usermod_irqio INTERFACE)
target_sources(usermod_irqio INTERFACE
    ${IRQIO_DIR}/src/c/modirqio.c
    ${IRQIO_DIR}/src/c/flag.c
    ${IRQIO_DIR}/src/c/ring.c
    ${IRQIO_DIR}/src/c/events.c
    ${IRQIO_DIR}/src/c/waiter.c
    ${IRQIO_DIR}/src/c/sched.c
    ${IRQIO_DIR}/src/c/status.c
    ${IRQIO_DIR}/src/c/atomic.c
    ${IRQIO_DIR}/src/c/aeabi.c
    ${IRQIO_DIR}/ports/${IRQIO_PORT}/irqio_port.c
)
target_include_directories(usermod_irqio INTERFACE
    ${IRQIO_DIR}/include
    ${IRQIO_DIR}/src/c
)

# The header flags bindgen sees, written at generate time: generator expressions
# resolve the firmware target's final include paths and definitions (with those
# of the pico-sdk / IDF libraries it links), plus the compiler's CPU flags. clang
# (bindgen) does not know the cross compiler's C library, so its system include
# folders are added too, except GCC's private ones (clang has its own stddef.h...).
set(IRQIO_RUST_OUT ${CMAKE_BINARY_DIR}/irqio-rust)
set(IRQIO_LIB ${IRQIO_RUST_OUT}/libirqio.a)
set(IRQIO_CFLAGS_FILE ${IRQIO_RUST_OUT}/cflags.txt)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-sysroot
    OUTPUT_VARIABLE IRQIO_SYSROOT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
    OUTPUT_VARIABLE IRQIO_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
get_filename_component(IRQIO_GCC_INCLUDE "${IRQIO_GCC_INCLUDE}/.." REALPATH)
set(IRQIO_SYSTEM_FLAGS "")
if(IRQIO_SYSROOT)
    string(APPEND IRQIO_SYSTEM_FLAGS "'--sysroot=${IRQIO_SYSROOT}' ")
endif()
foreach(dir ${CMAKE_C_IMPLICIT_INCLUDE_DIRECTORIES})
    get_filename_component(real "${dir}" REALPATH)
    string(FIND "${real}/" "${IRQIO_GCC_INCLUDE}/" at)
    if(NOT at EQUAL 0)
        string(APPEND IRQIO_SYSTEM_FLAGS "-isystem '${real}' ")
    endif()
endforeach()
separate_arguments(IRQIO_CPU_FLAGS UNIX_COMMAND "${CMAKE_C_FLAGS}")
list(FILTER IRQIO_CPU_FLAGS INCLUDE REGEX "^-m")
list(JOIN IRQIO_CPU_FLAGS " " IRQIO_CPU_FLAGS)
set(IRQIO_INCS "$<TARGET_PROPERTY:${IRQIO_FIRMWARE_TARGET},INCLUDE_DIRECTORIES>")
set(IRQIO_DEFS "$<TARGET_PROPERTY:${IRQIO_FIRMWARE_TARGET},COMPILE_DEFINITIONS>")
file(GENERATE OUTPUT ${IRQIO_CFLAGS_FILE} CONTENT
"${IRQIO_CPU_FLAGS} ${IRQIO_SYSTEM_FLAGS}$<$<BOOL:${IRQIO_INCS}>:'-I$<JOIN:${IRQIO_INCS},' '-I>' >$<$<BOOL:${IRQIO_DEFS}>:'-D$<JOIN:${IRQIO_DEFS},' '-D>'>
")

# A Rust staticlib bundles Rust's compiler_builtins (with its own memcpy, strlen,
# memmove, memcmp, a libm, the __aeabi_* helpers...). Linked ahead of libc, libm
# and libgcc, it would supply those to the whole firmware, replacing newlib's,
# libgcc's and the SDK's own. The firmware links only irqio's objects: the few
# helpers they call (__aeabi_uidiv, __aeabi_memcpy...) come from the toolchain's
# libraries, like the C code's (and through the SDK's wrappers: hardware divider,
# ROM memcpy).
file(WRITE ${IRQIO_RUST_OUT}/only-irqio.cmake [=[
# Copies the cargo staticlib IN to OUT with only irqio's own members (OUT is
# rewritten only when that changes, so the firmware relinks only then).
cmake_minimum_required(VERSION 3.19)
execute_process(COMMAND "${AR}" t "${IN}" OUTPUT_VARIABLE members COMMAND_ERROR_IS_FATAL ANY)
string(REPLACE "\n" ";" members "${members}")
list(FILTER members EXCLUDE REGEX "^(irqio-.*|.*mp_static_wrappers.*)?$")
get_filename_component(name "${IN}" NAME)
file(REMOVE_RECURSE "${OUT}.d")
file(COPY "${IN}" DESTINATION "${OUT}.d")
if(members)
    # D: deterministic (no timestamps), so equal input gives an equal archive.
    execute_process(COMMAND "${AR}" dD "${OUT}.d/${name}" ${members} COMMAND_ERROR_IS_FATAL ANY)
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${OUT}.d/${name}" "${OUT}"
    COMMAND_ERROR_IS_FATAL ANY)
file(REMOVE_RECURSE "${OUT}.d")
]=])

find_program(IRQIO_CARGO cargo HINTS $ENV{CARGO_HOME}/bin $ENV{HOME}/.cargo/bin REQUIRED)
# IRQIO_CARGO_JOBS (cmake or environment) caps cargo's parallelism, which
# otherwise adds to make's own jobs.
if(NOT IRQIO_CARGO_JOBS AND DEFINED ENV{IRQIO_CARGO_JOBS})
    set(IRQIO_CARGO_JOBS $ENV{IRQIO_CARGO_JOBS})
endif()
set(IRQIO_CARGO_JOBS_ARGS "")
if(IRQIO_CARGO_JOBS)
    set(IRQIO_CARGO_JOBS_ARGS --jobs ${IRQIO_CARGO_JOBS})
endif()

# A custom target always runs: cargo itself decides whether anything changed.
# It waits for the generated QSTR and root-pointer headers, which bindgen reads,
# and, where error texts are compressed (rp2 and esp32 from MicroPython 1.26),
# for genhdr/compressed.data.h, which py/misc.h then includes (1.25 has no rule
# for it on these ports, hence the condition).
set(IRQIO_GENHDR ${CMAKE_BINARY_DIR}/genhdr)
set(IRQIO_GENHDRS ${IRQIO_GENHDR}/qstrdefs.generated.h ${IRQIO_GENHDR}/root_pointers.h)
if(MICROPY_ROM_TEXT_COMPRESSION)
    list(APPEND IRQIO_GENHDRS ${IRQIO_GENHDR}/compressed.data.h)
endif()
add_custom_target(irqio_rust_build
    COMMAND ${CMAKE_COMMAND} -E env
        MICROPY_DIR=${MICROPY_DIR}
        IRQIO_PORT_DIR=${MICROPY_PORT_DIR}
        IRQIO_CFLAGS_FILE=${IRQIO_CFLAGS_FILE}
        IRQIO_CC=${CMAKE_C_COMPILER}
        # Flash is what a microcontroller runs short of: optimise for size.
        CARGO_PROFILE_RELEASE_OPT_LEVEL=z
        ${IRQIO_CARGO} ${IRQIO_CARGO_TOOLCHAIN} rustc ${IRQIO_CARGO_BUILD_STD} --quiet --manifest-path ${IRQIO_DIR}/Cargo.toml
        --release --lib --crate-type staticlib --features micropython ${IRQIO_CARGO_JOBS_ARGS}
        --target ${IRQIO_RUST_TARGET} --target-dir ${IRQIO_RUST_OUT}/target
    COMMAND ${CMAKE_COMMAND} -DAR=${CMAKE_AR}
        -DIN=${IRQIO_RUST_OUT}/target/${IRQIO_RUST_TARGET}/release/libirqio.a -DOUT=${IRQIO_LIB}
        -P ${IRQIO_RUST_OUT}/only-irqio.cmake
    BYPRODUCTS ${IRQIO_LIB}
    DEPENDS ${IRQIO_GENHDRS}
    COMMENT "cargo: irqio for ${IRQIO_RUST_TARGET}"
    VERBATIM
)
# Those headers are outputs of custom commands that the firmware target (and the
# frozen-content target) also run: with make, two targets running the same
# command can race. Where the port freezes Python code, MicroPython's frozen
# target generates the QSTR and root-pointer headers first; wait for it, and for
# the version header the QSTR pass depends on (both exist only at the end of the
# port's CMakeLists.txt, hence the deferred call). The compressed-text header is
# made by no other named target: only the firmware, which already waits for us.
function(irqio_after_generated_headers)
    foreach(t BUILD_VERSION_HEADER BUILD_FROZEN_CONTENT)
        if(TARGET ${t})
            add_dependencies(irqio_rust_build ${t})
        endif()
    endforeach()
endfunction()
if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.19)
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL irqio_after_generated_headers)
endif()

add_library(irqio_rust STATIC IMPORTED GLOBAL)
set_target_properties(irqio_rust PROPERTIES IMPORTED_LOCATION ${IRQIO_LIB})
add_dependencies(irqio_rust irqio_rust_build)

target_link_libraries(usermod_irqio INTERFACE irqio_rust)
target_link_libraries(usermod INTERFACE usermod_irqio)
