//! irqio: interrupt-safe primitives for MicroPython's asyncio.
//!
//! - [`core`]: the portable `no_std` core (flag, ring, event queue), tested on the host.
//! - `binding` (feature `micropython`): maps the core onto MicroPython objects and the
//!   C ABI declared in `include/irqio.h`; built only inside a firmware build.
#![no_std]

#[cfg(any(test, loom))]
extern crate std;

pub mod core;

#[cfg(feature = "micropython")]
pub mod binding;
