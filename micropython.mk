# irqio for MicroPython's make-based ports (unix, qemu).
#
# Builds the Rust static library with cargo against this port's own headers and
# flags (after the QSTR headers exist, which the bindings need), then links it.
IRQIO_DIR := $(USERMOD_DIR)
IRQIO_PORT ?= $(notdir $(CURDIR))

SRC_USERMOD_C += \
	$(IRQIO_DIR)/src/c/modirqio.c \
	$(IRQIO_DIR)/src/c/flag.c \
	$(IRQIO_DIR)/src/c/ring.c \
	$(IRQIO_DIR)/src/c/events.c \
	$(IRQIO_DIR)/src/c/waiter.c \
	$(IRQIO_DIR)/src/c/sched.c \
	$(IRQIO_DIR)/src/c/status.c \
	$(IRQIO_DIR)/src/c/atomic.c \
	$(IRQIO_DIR)/src/c/aeabi.c \
	$(wildcard $(IRQIO_DIR)/ports/$(IRQIO_PORT)/*.c)

CFLAGS_USERMOD += -I$(IRQIO_DIR)/include -I$(IRQIO_DIR)/src/c

# The Rust target: the host for unix, set by the board for cross builds.
IRQIO_RUST_TARGET ?=
IRQIO_CARGO ?= cargo
IRQIO_RUST_OUT := $(BUILD)/irqio-rust
IRQIO_LIB := $(IRQIO_RUST_OUT)/libirqio.a
IRQIO_CARGO_PROFILE_DIR := $(IRQIO_RUST_OUT)/target/$(if $(IRQIO_RUST_TARGET),$(IRQIO_RUST_TARGET)/)release

# Cross builds (bare metal) link only irqio's own members of the staticlib, as
# micropython.cmake does: Rust's bundled compiler_builtins must not replace the C
# library's memcpy/strlen/libm. Some ports put LDFLAGS before their objects, and
# some link with $(CC), others (qemu from 1.29) with $(LD), which takes no -Wl,
# options: so those members are joined into one relocatable object (a partial
# link, by the compiler driver with the port's -m flags, which pick the linker's
# 32- or 64-bit emulation), which any link line includes wherever it stands
# (unused sections still go with --gc-sections). With panic = "abort" nothing unwinds: the Arm unwind index some
# linker scripts do not place (qemu's before 1.29) is dropped.
ifeq ($(IRQIO_RUST_TARGET),)
IRQIO_LINK := $(IRQIO_LIB)
else
IRQIO_LINK := $(IRQIO_RUST_OUT)/irqio_rust.o
endif
LDFLAGS_USERMOD += $(IRQIO_LINK)

# bindgen reads py/obj.h, which includes genhdr/compressed.data.h when error texts
# are compressed (unix and qemu, every version): the library waits for it too.
IRQIO_GENHDRS := $(HEADER_BUILD)/qstrdefs.generated.h $(HEADER_BUILD)/root_pointers.h \
	$(if $(filter 1,$(MICROPY_ROM_TEXT_COMPRESSION)),$(HEADER_BUILD)/compressed.data.h)

# make expands a whole recipe before running its first line, so the directory
# for the flags file is made during that expansion, not by a shell line.
$(IRQIO_LIB): $(IRQIO_GENHDRS) irqio-cargo
	$(ECHO) "CARGO irqio ($(if $(IRQIO_RUST_TARGET),$(IRQIO_RUST_TARGET),host))"
	$(shell mkdir -p $(IRQIO_RUST_OUT))$(file >$(IRQIO_RUST_OUT)/cflags.txt,$(CFLAGS))
	$(Q)MICROPY_DIR="$(abspath $(TOP))" IRQIO_PORT_DIR="$(CURDIR)" IRQIO_CC="$(CC)" \
		$(if $(IRQIO_RUST_TARGET),CARGO_PROFILE_RELEASE_OPT_LEVEL=z) \
		IRQIO_CFLAGS_FILE="$(abspath $(IRQIO_RUST_OUT))/cflags.txt" \
		$(IRQIO_CARGO) rustc --quiet --manifest-path "$(IRQIO_DIR)/Cargo.toml" --release --lib \
		--crate-type staticlib --features micropython --target-dir "$(abspath $(IRQIO_RUST_OUT))/target" \
		$(if $(IRQIO_RUST_TARGET),--target $(IRQIO_RUST_TARGET))
	$(Q)cp -p "$(IRQIO_CARGO_PROFILE_DIR)/libirqio.a" $@
	$(if $(IRQIO_RUST_TARGET),$(Q)$(AR) t $@ | grep -Ev '^(irqio-.*|.*mp_static_wrappers.*)$$' \
		| xargs -r $(AR) d $@)

# The CPU flags (-march, -mabi, -mcpu...) of CFLAGS, without the pieces of quoted
# definitions that start with -m (VIRT_RV32's MCU name holds "-misa-spec=2.2").
IRQIO_CPU_FLAGS = $(foreach f,$(filter -m%,$(CFLAGS)),$(if $(findstring ",$(f)),,$(f)))

$(IRQIO_RUST_OUT)/irqio_rust.o: $(IRQIO_LIB)
	$(Q)$(CC) $(IRQIO_CPU_FLAGS) -nostdlib -r -o $@ -Wl,--whole-archive $< -Wl,--no-whole-archive \
		-Wl,-z,noexecstack
	$(if $(filter thumb%,$(IRQIO_RUST_TARGET)),$(Q)$(OBJCOPY) --wildcard -R '.ARM.exidx*' -R '.rel.ARM.exidx*' $@)

# Link after the library exists: the first of our objects waits for it.
$(BUILD)/$(notdir $(IRQIO_DIR))/src/c/modirqio.o: $(IRQIO_LINK)

.PHONY: irqio-cargo
irqio-cargo:
